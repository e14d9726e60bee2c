import { DescribeTaskDefinitionCommand, type TaskDefinition } from "@aws-sdk/client-ecs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";
import { LaunchError } from "../errors.js";
import type { LogLocation } from "./logs.js";

/** What a run learns from the task definition before launching anything. */
export interface TaskDefinitionInfo {
  readonly taskDefinitionArn: string | undefined;
  readonly containerName: string;
  readonly containerPort: number;
  readonly networkMode: string;
  readonly logs: LogLocation | undefined;
  readonly gpus: number;
  /** The worker container's image, as the task definition names it (may be empty: a preflight problem). */
  readonly image: string | undefined;
  readonly executionRoleArn: string | undefined;
  /** `requiresCompatibilities` of the task definition (e.g. FARGATE, EC2). */
  readonly compatibilities: readonly string[];
  /** Container ports the worker container maps. */
  readonly mappedPorts: readonly number[];
  /** Whether ECS was asked to pass a port other than the mapped ones. */
  readonly portWanted: number | undefined;
}

/** Picks the worker container and its port from a task definition (pure). */
export function taskDefinitionInfo(
  td: TaskDefinition,
  wanted: { containerName?: string | undefined; containerPort?: number | undefined },
): TaskDefinitionInfo {
  const containers = td.containerDefinitions ?? [];
  const container =
    wanted.containerName === undefined
      ? (containers.find((c) => c.essential !== false) ?? containers[0])
      : containers.find((c) => c.name === wanted.containerName);
  if (container?.name === undefined) {
    const names = containers.map((c) => c.name).join(", ");
    throw new LaunchError(
      wanted.containerName === undefined
        ? `task definition ${td.taskDefinitionArn ?? ""} has no container`
        : `task definition ${td.taskDefinitionArn ?? ""} has no container named ${wanted.containerName} (it has: ${names})`,
      { cluster: "" },
    );
  }
  const options =
    container.logConfiguration?.logDriver === "awslogs" ? container.logConfiguration.options : undefined;
  const group = options?.["awslogs-group"];
  const gpu = container.resourceRequirements?.find((r) => r.type === "GPU")?.value;
  return {
    taskDefinitionArn: td.taskDefinitionArn,
    containerName: container.name,
    containerPort: wanted.containerPort ?? container.portMappings?.[0]?.containerPort ?? 8080,
    networkMode: td.networkMode ?? "bridge",
    logs:
      group === undefined
        ? undefined
        : {
            group,
            streamPrefix: options?.["awslogs-stream-prefix"],
            region: options?.["awslogs-region"],
            createGroup: options?.["awslogs-create-group"] === "true",
          },
    gpus: gpu === undefined ? 0 : Number(gpu),
    image: container.image,
    executionRoleArn: td.executionRoleArn,
    compatibilities: td.requiresCompatibilities ?? [],
    mappedPorts: (container.portMappings ?? []).flatMap((m) =>
      m.containerPort === undefined ? [] : [m.containerPort],
    ),
    portWanted: wanted.containerPort,
  };
}

/** DescribeTaskDefinition once per run: fails fast (before any launch) when it does not exist. */
export async function describeTaskDefinition(
  ctx: AwsContext,
  taskDefinition: string,
  wanted: { containerName?: string | undefined; containerPort?: number | undefined },
): Promise<TaskDefinitionInfo> {
  const response = await awsCall(
    ctx.policy,
    {
      operation: "DescribeTaskDefinition",
      bucket: ctx.buckets.read,
      cluster: ctx.cluster,
      signal: ctx.signal,
    },
    () =>
      ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }), {
        abortSignal: ctx.signal,
      }),
  );
  if (response.taskDefinition === undefined)
    throw new LaunchError(`task definition ${taskDefinition} not found`, { cluster: ctx.cluster });
  return taskDefinitionInfo(response.taskDefinition, wanted);
}
