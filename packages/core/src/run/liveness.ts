import { anySignal, sleep } from "../util/abort.js";
import type { WorkerClient } from "../worker/client.js";
import type { FleetTask } from "./fleet-task.js";
import type { RunState } from "./run-state.js";

/**
 * Watches a ready task's worker with short `/v1/health` checks, so a worker that stops answering
 * (a hung host, a frozen process, a network partition) is given up on within seconds, on purpose,
 * instead of when a long poll or a transfer finally times out. After `failedChecks` checks in a
 * row fail, the task is marked lost: its work goes back to the queue, it is stopped and replaced.
 * A health answer of "draining" is the worker's own Spot notice, heard even when it runs no job.
 * Returns when the task leaves service or `signal` aborts.
 */
export async function watchLiveness(
  run: RunState,
  task: FleetTask,
  client: WorkerClient,
  signal: AbortSignal,
): Promise<void> {
  const { checkIntervalMs, checkTimeoutMs, failedChecks } = run.opts.liveness;
  let failures = 0;
  let firstFailureAt = 0;
  while (!signal.aborted && (task.phase === "ready" || task.phase === "draining")) {
    await sleep(checkIntervalMs, signal).catch(() => {});
    if (signal.aborted || (task.phase !== "ready" && task.phase !== "draining")) return;
    const startedAt = performance.now();
    try {
      const health = await client.health(anySignal(signal, AbortSignal.timeout(checkTimeoutMs)));
      failures = 0;
      if (health === "draining" && task.phase === "ready") run.markDraining(task, "worker");
    } catch {
      if (signal.aborted) return;
      if (failures === 0) firstFailureAt = startedAt;
      failures += 1;
      if (failures >= failedChecks) {
        const within = Math.round(performance.now() - firstFailureAt);
        run.markLost(task, `worker stopped answering: ${failures} health checks in a row failed (${within} ms)`);
        return;
      }
    }
  }
}
