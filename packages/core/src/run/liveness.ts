import { sleep } from "../util/abort.js";
import { WorkerClient } from "../worker/client.js";
import type { FleetTask } from "./fleet-task.js";
import type { RunState } from "./run-state.js";

/**
 * Worth checking: a serving task, or a draining one that still runs our work (a draining worker
 * with nothing left of ours may exit on its own at any moment, and that is no loss).
 */
const watched = (task: FleetTask): boolean =>
  task.phase === "ready" || (task.phase === "draining" && task.active > 0);

/**
 * Checks one task's worker until `signal` aborts: `GET /v1/health` every `intervalMs`, each
 * bounded by `timeoutMs`, through the run's liveness pool, so a check never queues behind the
 * task's long polls and transfers, which a hung worker leaves hanging. After `failures` checks in
 * a row without an answer the task is given up on: markLost cancels its attempts (they go back to
 * the queue, retries first), stops it with the reason and launches a replacement while work
 * remains. A worker that answers "draining" is treated like a Spot notice heard on a status poll.
 */
export async function watchLiveness(
  run: RunState,
  task: FleetTask,
  client: WorkerClient,
  signal: AbortSignal,
): Promise<void> {
  const { intervalMs, timeoutMs, failures: limit } = run.opts.liveness;
  const checker = new WorkerClient(
    client.baseUrl,
    run.identity.token,
    task.arn,
    run.livenessDispatcher,
    timeoutMs,
  );
  let failed = 0;
  let firstFailedAt = 0;
  while (!signal.aborted && watched(task)) {
    const started = Date.now();
    try {
      const health = await checker.health(signal);
      failed = 0;
      if (health === "draining" && task.phase === "ready") run.markDraining(task, "worker");
    } catch (error) {
      if (signal.aborted) return;
      if (failed === 0) firstFailedAt = started;
      failed += 1;
      if (failed >= limit) {
        const why = error instanceof Error ? error.message : String(error);
        run.markLost(
          task,
          `worker stopped answering: ${failed} health checks in a row failed over ${Date.now() - firstFailedAt} ms (last: ${why})`,
          // A worker that answers nothing would only delay the StopTask by the shutdown request's timeout.
          { askWorker: false },
        );
        return;
      }
    }
    await sleep(Math.max(0, intervalMs - (Date.now() - started)), signal).catch(() => {});
  }
}
