import { describeTasks } from "../ecs/describe.js";
import { listTaskArns } from "../ecs/list.js";
import { stopTask } from "../ecs/stop.js";
import { RUN_ID_TAG } from "../tags.js";
import { sleep } from "../util/abort.js";
import type { RunState } from "./run-state.js";

/**
 * The `finally` of every run: wait for RunTask calls in flight (their tasks must not escape),
 * StopTask every task not known to be stopped, sweep for any task tagged with this run that we
 * never saw (a RunTask whose answer was lost), then wait — bounded — for STOPPED so billing reads
 * real `stoppedAt` stamps. Never throws; uses no abort signal (it runs after an abort too).
 */
export async function stopEverything(run: RunState): Promise<void> {
  const ctx = { ...run.ctx, signal: undefined };
  await run.launchesSettled();
  const reason = run.signal?.aborted ? "ecs-fanout: run aborted" : "ecs-fanout: run finished";
  for (const task of run.tasks.values()) task.controller.abort(new Error(reason));
  const stops = [...run.tasks.values()].filter((t) => !t.stopped).map((t) => run.requestStop(t, reason));
  await Promise.allSettled(stops);
  // One more try for any StopTask that failed.
  await Promise.allSettled(
    [...run.tasks.values()].filter((t) => !t.stopped && !t.stopAcked).map((t) => run.requestStop(t, reason)),
  );
  await sweep(run).catch((error: unknown) =>
    run.opts.logger.warn("sweep for unknown tasks failed", { error: String(error) }),
  );

  const deadline = Date.now() + run.opts.timeouts.stopWaitMs;
  for (;;) {
    const open = [...run.tasks.values()].filter((t) => !t.stopped);
    if (open.length === 0) break;
    try {
      const outcome = await describeTasks(
        ctx,
        open.map((t) => t.arn),
        { containerName: run.td.containerName },
      );
      for (const snapshot of outcome.tasks) {
        const task = run.tasks.get(snapshot.taskArn);
        if (task === undefined) continue;
        task.snapshot = snapshot;
        if (snapshot.lastStatus === "STOPPED") run.noticeStopped(task, !task.unexpectedStop);
      }
    } catch (error) {
      run.opts.logger.warn("DescribeTasks while waiting for STOPPED failed", { error: String(error) });
    }
    if (Date.now() >= deadline || [...run.tasks.values()].every((t) => t.stopped)) break;
    await sleep(Math.min(run.opts.pollIntervalMs, Math.max(50, deadline - Date.now())));
  }
}

/** Stops tasks carrying this run's id that the run does not know (ListTasks by startedBy, then tags). */
async function sweep(run: RunState): Promise<void> {
  const ctx = { ...run.ctx, signal: undefined };
  const arns = await listTaskArns(ctx, run.opts.startedBy);
  const unknown = arns.filter((arn) => !run.tasks.has(arn));
  if (unknown.length === 0) return;
  const outcome = await describeTasks(ctx, unknown, { includeTags: true });
  for (const t of outcome.tasks) {
    if (t.tags[RUN_ID_TAG] !== run.opts.runId || t.lastStatus === "STOPPED") continue;
    run.opts.logger.warn("stopping a task of this run it never saw launched", { taskArn: t.taskArn });
    await stopTask(ctx, t.taskArn, "ecs-fanout: run finished (sweep)").catch(() => {});
  }
}
