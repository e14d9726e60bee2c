import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";
import { AwsCallError } from "../errors.js";
import { describeTasks } from "./describe.js";

/** StopTask reason, at most 255 characters as ECS allows. */
export function stopReason(reason: string): string {
  return reason.length > 255 ? `${reason.slice(0, 252)}...` : reason;
}

/** What the caller last saw of the task in DescribeTasks, if anything. */
export interface KnownTaskState {
  readonly lastStatus?: string | undefined;
  readonly desiredStatus?: string | undefined;
}

/** How a stop ended: StopTask accepted, or the task was already stopped/stopping/gone. */
export type StopOutcome = "stopped" | "already-stopped";

const isStopping = (s: KnownTaskState | undefined): boolean =>
  s?.lastStatus === "STOPPED" || s?.desiredStatus === "STOPPED";

/**
 * Stops a task, idempotently. A task already seen STOPPED needs no call. StopTask on a stopped
 * (or gone) task is not a failure to stop: ECS deletes a stopped task's tags, so a least-privilege
 * policy that allows StopTask only on our managed-by tag answers AccessDeniedException, and a task
 * long gone may be "not found". On such an answer the task counts as stopped when it was seen
 * stopping, or when one DescribeTasks now shows it stopping or MISSING; otherwise the error stands.
 */
export async function stopTask(
  ctx: AwsContext,
  taskArn: string,
  reason: string,
  options: { signal?: AbortSignal | undefined; known?: KnownTaskState | undefined } = {},
): Promise<StopOutcome> {
  if (options.known?.lastStatus === "STOPPED") return "already-stopped";
  try {
    await awsCall(
      ctx.policy,
      {
        operation: "StopTask",
        bucket: ctx.buckets.modify,
        cluster: ctx.cluster,
        taskArn,
        signal: options.signal,
      },
      () =>
        ctx.clients.ecs.send(
          new StopTaskCommand({ cluster: ctx.cluster, task: taskArn, reason: stopReason(reason) }),
          { abortSignal: options.signal },
        ),
    );
    return "stopped";
  } catch (error) {
    const maybeStopped =
      error instanceof AwsCallError &&
      (error.kind === "permission" || error.kind === "not-found" || error.kind === "configuration");
    if (!maybeStopped) throw error;
    if (isStopping(options.known)) return "already-stopped";
    const now = await describeTasks({ ...ctx, signal: options.signal }, [taskArn]).catch(() => undefined);
    if (now !== undefined && (now.missing.includes(taskArn) || now.tasks.some((t) => isStopping(t))))
      return "already-stopped";
    throw error;
  }
}
