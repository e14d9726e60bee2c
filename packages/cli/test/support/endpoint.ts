import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { type LocalEcs, type LocalEcsConfig, startLocalEcs } from "@ecs-fanout/local";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, RUN_ID_TAG } from "ecs-fanout";

export const CLUSTER = "cli-test";

/**
 * A local endpoint owned by a test, with a `sleeper` image (a process that idles until stopped),
 * so tasks can be left running on purpose and the CLI pointed at them through the SDK's env.
 */
export async function startTestEndpoint(config: LocalEcsConfig = {}): Promise<{
  local: LocalEcs;
  ecs: ECSClient;
  env: Record<string, string>;
  close(): Promise<void>;
}> {
  const local = await startLocalEcs({
    ...config,
    clusters: [CLUSTER],
    images: [{ match: "sleeper", command: ["node", "-e", "setInterval(() => {}, 1000)"] }],
  });
  const ecs = new ECSClient(local.clientConfig);
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "sleeper",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "main", image: "sleeper", essential: true }],
    }),
  );
  const creds = local.clientConfig.credentials;
  return {
    local,
    ecs,
    env: {
      AWS_ENDPOINT_URL: local.endpoint,
      AWS_REGION: local.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    },
    async close() {
      ecs.destroy();
      await local.close();
    },
  };
}

/** Launches sleeper tasks with the given startedBy and tags, as an orchestrator that then died would have. */
export async function launchSleepers(
  ecs: ECSClient,
  count: number,
  options: { startedBy: string; runId?: string; managed: boolean },
): Promise<string[]> {
  const tags = [];
  if (options.managed) tags.push({ key: MANAGED_BY_TAG, value: MANAGED_BY_VALUE });
  if (options.runId) tags.push({ key: RUN_ID_TAG, value: options.runId });
  const out = await ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: "sleeper",
      count,
      launchType: "FARGATE",
      startedBy: options.startedBy,
      tags: tags.length > 0 ? tags : undefined,
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0defa00000000001a"] } },
    }),
  );
  return (out.tasks ?? []).map((t) => t.taskArn!);
}

/** Desired status of each task, by ARN. */
export async function desiredStatus(
  ecs: ECSClient,
  arns: readonly string[],
): Promise<Record<string, string>> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [...arns] }));
  return Object.fromEntries((out.tasks ?? []).map((t) => [t.taskArn!, t.desiredStatus!]));
}

/** ARNs of every task in the cluster whose desired status is RUNNING. */
export async function runningTasks(ecs: ECSClient, cluster = CLUSTER): Promise<string[]> {
  const out = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: "RUNNING" }));
  return out.taskArns ?? [];
}
