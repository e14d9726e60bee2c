import { DescribeTasksCommand, type Failure } from "@aws-sdk/client-ecs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";
import { chunk, DESCRIBE_TASKS_MAX } from "./requests.js";
import { snapshotOf, type TaskSnapshot } from "./snapshot.js";

/** What DescribeTasks said about a set of ARNs. */
export interface DescribeOutcome {
  readonly tasks: TaskSnapshot[];
  /** ARNs ECS reported as MISSING (unknown, or just launched and not yet visible). */
  readonly missing: string[];
  /** Other failures, verbatim. */
  readonly failures: Failure[];
}

/** DescribeTasks for any number of ARNs, 100 per call (AWS's limit). */
export async function describeTasks(
  ctx: AwsContext,
  taskArns: readonly string[],
  options: { includeTags?: boolean; containerName?: string | undefined } = {},
): Promise<DescribeOutcome> {
  const out: DescribeOutcome = { tasks: [], missing: [], failures: [] };
  for (const arns of chunk(taskArns, DESCRIBE_TASKS_MAX)) {
    const response = await awsCall(
      ctx.policy,
      { operation: "DescribeTasks", bucket: ctx.buckets.read, cluster: ctx.cluster, signal: ctx.signal },
      () =>
        ctx.clients.ecs.send(
          new DescribeTasksCommand({
            cluster: ctx.cluster,
            tasks: arns,
            ...(options.includeTags ? { include: ["TAGS"] } : {}),
          }),
          { abortSignal: ctx.signal },
        ),
    );
    for (const task of response.tasks ?? []) out.tasks.push(snapshotOf(task, options.containerName));
    for (const failure of response.failures ?? []) {
      if (failure.reason === "MISSING" && failure.arn !== undefined) out.missing.push(failure.arn);
      else out.failures.push(failure);
    }
  }
  return out;
}
