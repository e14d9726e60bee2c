import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";
import { describeTasks } from "../ecs/describe.js";
import { listTaskArns } from "../ecs/list.js";
import { chunk } from "../ecs/requests.js";
import type { TaskSnapshot } from "../ecs/snapshot.js";
import { parseOptions } from "../options/check.js";
import { type ListTasksOptions, listTasksOptionsSchema } from "../options/manage.js";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, RUN_ID_TAG } from "../tags.js";
import { manageContext } from "./context.js";

/** One task as listTasks reports it. */
export interface ListedTask {
  readonly taskArn: string;
  readonly taskId: string;
  /** ECS's lastStatus (PROVISIONING, PENDING, RUNNING, …). */
  readonly status: string | undefined;
  readonly lastStatus: string | undefined;
  readonly desiredStatus: string | undefined;
  readonly createdAt: Date | undefined;
  readonly startedAt: Date | undefined;
  /** Seconds since createdAt. */
  readonly ageSeconds: number | undefined;
  readonly launchType: string | undefined;
  readonly capacityProvider: string | undefined;
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  readonly privateIp: string | undefined;
  readonly publicIp: string | undefined;
  readonly startedBy: string | undefined;
  readonly taskDefinitionArn: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Value of the `ecs-fanout:run-id` tag. */
  readonly runId: string | undefined;
  /** Carries `ecs-fanout:managed-by=ecs-fanout`. */
  readonly managed: boolean;
}

/** Turns a snapshot into a ListedTask (pure). */
export function listedTaskOf(t: TaskSnapshot, publicIp: string | undefined, now: Date): ListedTask {
  return Object.freeze({
    taskArn: t.taskArn,
    taskId: t.taskId,
    status: t.lastStatus,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    ageSeconds:
      t.createdAt === undefined ? undefined : Math.max(0, (now.getTime() - t.createdAt.getTime()) / 1000),
    launchType: t.launchType,
    capacityProvider: t.capacityProvider,
    cpu: t.cpu,
    memory: t.memory,
    privateIp: t.privateIp,
    publicIp,
    startedBy: t.startedBy,
    taskDefinitionArn: t.taskDefinitionArn,
    tags: Object.freeze({ ...t.tags }),
    runId: t.tags[RUN_ID_TAG],
    managed: t.tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE,
  });
}

/** ListTasks by startedBy alone (paginated), then DescribeTasks with TAGS; everything else is filtered here. */
export async function describeOurTasks(
  ctx: AwsContext,
  startedBy: string,
  resolveAddresses: boolean,
): Promise<ListedTask[]> {
  const arns = await listTaskArns(ctx, startedBy);
  if (arns.length === 0) return [];
  const { tasks } = await describeTasks(ctx, arns, { includeTags: true });
  const mine = tasks.filter((t) => t.startedBy === startedBy);
  const publicIps = new Map<string, string>();
  const enis = mine.map((t) => t.eniId).filter((id): id is string => id !== undefined);
  if (resolveAddresses && enis.length > 0) {
    for (const ids of chunk(enis, 200)) {
      const response = await awsCall(
        ctx.policy,
        { operation: "DescribeNetworkInterfaces", bucket: ctx.buckets.other, signal: ctx.signal },
        () =>
          ctx.clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }), {
            abortSignal: ctx.signal,
          }),
      );
      for (const ni of response.NetworkInterfaces ?? []) {
        if (ni.NetworkInterfaceId !== undefined && ni.Association?.PublicIp !== undefined)
          publicIps.set(ni.NetworkInterfaceId, ni.Association.PublicIp);
      }
    }
  }
  const now = new Date();
  return mine.map((t) => listedTaskOf(t, t.eniId === undefined ? undefined : publicIps.get(t.eniId), now));
}

/**
 * Our running tasks: ListTasks by `startedBy` alone (AWS allows no other filter with it),
 * paginated, then DescribeTasks with tags; `runId` and the managed-by tag are filtered after.
 */
export async function listTasks(given: ListTasksOptions): Promise<ListedTask[]> {
  const options = parseOptions(listTasksOptionsSchema, given, "listTasks options");
  const ctx = manageContext(options);
  try {
    const all = await describeOurTasks(ctx, options.startedBy, options.resolveAddresses);
    return all.filter(
      (t) =>
        (options.includeUnmanaged || t.managed) && (options.runId === undefined || t.runId === options.runId),
    );
  } finally {
    ctx.close();
  }
}
