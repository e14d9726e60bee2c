import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";

/** StopTask reason, at most 255 characters as ECS allows. */
export function stopReason(reason: string): string {
  return reason.length > 255 ? `${reason.slice(0, 252)}...` : reason;
}

/**
 * Stops a task. Stopping an already stopped (or already gone) task is treated as done: AWS does
 * not document it as an error, and cleanup must be idempotent.
 */
export async function stopTask(
  ctx: AwsContext,
  taskArn: string,
  reason: string,
  signal?: AbortSignal,
): Promise<void> {
  await awsCall(
    ctx.policy,
    { operation: "StopTask", bucket: ctx.buckets.modify, cluster: ctx.cluster, taskArn, signal },
    () =>
      ctx.clients.ecs.send(
        new StopTaskCommand({ cluster: ctx.cluster, task: taskArn, reason: stopReason(reason) }),
        { abortSignal: signal },
      ),
  );
}
