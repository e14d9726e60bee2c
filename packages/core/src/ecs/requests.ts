import type { CapacityProviderStrategyItem, KeyValuePair, RunTaskCommandInput } from "@aws-sdk/client-ecs";
import type { ResolvedNetwork, ResolvedOverrides } from "../options.js";
import { runTags } from "../tags.js";

/** How one RunTask call gets capacity: a launch type, or a capacity provider strategy (never both). */
export type CapacityChoice =
  | { readonly launchType: "FARGATE" | "EC2" }
  | { readonly strategy: readonly CapacityProviderStrategyItem[] };

/** Everything one RunTask call is built from. */
export interface RunTaskRequest {
  readonly cluster: string;
  readonly taskDefinition: string;
  readonly count: number;
  readonly capacity: CapacityChoice;
  readonly network: ResolvedNetwork | undefined;
  readonly containerName: string;
  readonly overrides: ResolvedOverrides;
  /**
   * How the worker authenticates the orchestrator and serves TLS (the token's SHA-256, the run's
   * certificate and key): never the token itself, since RunTask parameters are visible to
   * DescribeTasks and CloudTrail.
   */
  readonly transportEnvironment: readonly KeyValuePair[];
  readonly runId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly startedBy: string;
  readonly platformVersion: string | undefined;
  readonly clientToken: string;
}

/** The most tasks one RunTask call may start. */
export const RUN_TASK_MAX_COUNT = 10;
/** The most tasks one DescribeTasks call may name. */
export const DESCRIBE_TASKS_MAX = 100;

/** Environment overrides of the worker container: the user's, then the run's transport and id (which win). */
export function workerEnvironment(
  transport: readonly KeyValuePair[],
  runId: string,
  user: Readonly<Record<string, string>> = {},
): KeyValuePair[] {
  return [
    ...Object.entries(user).map(([name, value]) => ({ name, value })),
    ...transport.map((pair) => ({ ...pair })),
    { name: "FANOUT_RUN_ID", value: runId },
  ];
}

/** Builds the RunTask input (pure). */
export function buildRunTaskInput(r: RunTaskRequest): RunTaskCommandInput {
  if (r.count < 1 || r.count > RUN_TASK_MAX_COUNT)
    throw new RangeError(`RunTask count must be 1–10, got ${r.count}`);
  const resourceRequirements =
    r.overrides.gpu === undefined ? undefined : [{ type: "GPU" as const, value: String(r.overrides.gpu) }];
  return {
    cluster: r.cluster,
    taskDefinition: r.taskDefinition,
    count: r.count,
    ...("launchType" in r.capacity
      ? { launchType: r.capacity.launchType }
      : { capacityProviderStrategy: r.capacity.strategy.map((s) => ({ ...s })) }),
    ...(r.platformVersion === undefined ? {} : { platformVersion: r.platformVersion }),
    ...(r.network === undefined
      ? {}
      : {
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [...r.network.subnets],
              ...(r.network.securityGroups === undefined
                ? {}
                : { securityGroups: [...r.network.securityGroups] }),
              assignPublicIp: r.network.assignPublicIp ? "ENABLED" : "DISABLED",
            },
          },
        }),
    overrides: {
      containerOverrides: [
        {
          name: r.containerName,
          environment: workerEnvironment(r.transportEnvironment, r.runId, r.overrides.environment),
          ...(resourceRequirements === undefined ? {} : { resourceRequirements }),
        },
      ],
      ...(r.overrides.cpu === undefined ? {} : { cpu: r.overrides.cpu }),
      ...(r.overrides.memory === undefined ? {} : { memory: r.overrides.memory }),
    },
    startedBy: r.startedBy,
    tags: runTags(r.runId, r.tags),
    clientToken: r.clientToken,
  };
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
