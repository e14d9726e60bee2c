import pLimit from "p-limit";
import { stopTask } from "../ecs/stop.js";
import { FanoutError } from "../errors.js";
import { parseOptions } from "../options/check.js";
import { type CleanupOptions, cleanupOptionsSchema } from "../options/manage.js";
import { manageContext } from "./context.js";
import { describeOurTasks, type ListedTask } from "./list-tasks.js";

/** Why cleanup left a task alone. */
export type SkipReason = "not-managed" | "other-run" | "too-young" | "already-stopping";

/** What cleanup did. */
export interface CleanupResult {
  readonly dryRun: boolean;
  /** Tasks that matched every filter (stopped, or would be with dryRun). */
  readonly matched: readonly ListedTask[];
  /** Tasks StopTask accepted (empty with dryRun). */
  readonly stopped: readonly ListedTask[];
  readonly failed: readonly {
    readonly task: ListedTask;
    readonly error: { readonly code: string; readonly message: string };
  }[];
  readonly skipped: readonly { readonly task: ListedTask; readonly reason: SkipReason }[];
}

/** Decides whether cleanup may stop a task (pure): both startedBy and the managed-by tag must say it is ours. */
export function cleanupVerdict(
  task: ListedTask,
  filter: { runId?: string | undefined; olderThanSeconds: number },
): SkipReason | "stop" {
  if (!task.managed) return "not-managed";
  if (task.desiredStatus === "STOPPED" || task.lastStatus === "STOPPED") return "already-stopping";
  if (filter.runId !== undefined && task.runId !== filter.runId) return "other-run";
  if ((task.ageSeconds ?? 0) < filter.olderThanSeconds) return "too-young";
  return "stop";
}

/**
 * Stops tasks left behind (a crashed orchestrator, a killed CI job). Only tasks carrying both our
 * `startedBy` and our managed-by tag are touched; `runId` and `olderThanSeconds` narrow further.
 */
export async function cleanupStaleTasks(given: CleanupOptions): Promise<CleanupResult> {
  // Parsed first: a typo such as `dryRn` must fail here, before a single StopTask.
  const options = parseOptions(cleanupOptionsSchema, given, "cleanupStaleTasks options");
  const ctx = manageContext(options);
  try {
    const all = await describeOurTasks(ctx, options.startedBy, false);
    const filter = { runId: options.runId, olderThanSeconds: options.olderThanSeconds };
    const matched: ListedTask[] = [];
    const skipped: { task: ListedTask; reason: SkipReason }[] = [];
    for (const task of all) {
      const verdict = cleanupVerdict(task, filter);
      if (verdict === "stop") matched.push(task);
      else skipped.push({ task, reason: verdict });
    }
    const stopped: ListedTask[] = [];
    const failed: { task: ListedTask; error: { code: string; message: string } }[] = [];
    if (!options.dryRun) {
      const reason = options.reason;
      // A few StopTask calls at a time; the token bucket paces them further.
      const limit = pLimit(8);
      await Promise.all(
        matched.map((task) =>
          limit(async () => {
            try {
              // "Already stopped" (e.g. AccessDenied once ECS dropped its tags) is done, not failed.
              await stopTask(ctx, task.taskArn, reason, { signal: options.signal, known: task });
              stopped.push(task);
            } catch (error) {
              const code = error instanceof FanoutError ? error.code : "UNKNOWN";
              failed.push({
                task,
                error: { code, message: error instanceof Error ? error.message : String(error) },
              });
            }
          }),
        ),
      );
    }
    return Object.freeze({ dryRun: options.dryRun, matched, stopped, failed, skipped });
  } finally {
    ctx.close();
  }
}
