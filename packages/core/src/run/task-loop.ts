import type { TaskAddress } from "../ecs/address.js";
import { FanoutTimeoutError, WorkerIdentityError } from "../errors.js";
import { abortable, anySignal, sleep } from "../util/abort.js";
import { WorkerClient } from "../worker/client.js";
import { workerScheme } from "../worker/pinned-agent.js";
import type { FleetTask } from "./fleet-task.js";
import { watchLiveness } from "./liveness.js";
import { nextWork } from "./next-work.js";
import type { RunState } from "./run-state.js";
import { attemptSegment } from "./segment-attempt.js";

/** `https://host:port` (or `http://` without TLS), bracketing IPv6 hosts. */
export function workerUrl(address: TaskAddress, scheme: "https" | "http" = "https"): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${scheme}://${host}:${address.port}`;
}

/** Waits for /v1/health, then checks /v1/info names this run and this task (never a stale worker on a reused IP). */
export async function waitForWorker(
  run: RunState,
  task: FleetTask,
  client: WorkerClient,
  signal: AbortSignal,
): Promise<void> {
  const limit = run.opts.timeouts.workerReadyMs;
  const deadline = Date.now() + limit;
  let delay = 200;
  for (;;) {
    try {
      const health = await client.health(anySignal(signal, AbortSignal.timeout(5000)));
      if (health === "ok") break;
      throw new WorkerIdentityError(`worker of ${task.arn} is draining before it took any work`, {
        taskArn: task.arn,
        url: client.baseUrl,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof WorkerIdentityError) throw error;
      if (Date.now() > deadline)
        throw new FanoutTimeoutError(
          "worker health",
          limit,
          `worker of ${task.arn} did not answer /v1/health within ${limit} ms`,
        );
      await sleep(delay, signal);
      delay = Math.min(2000, delay * 2);
    }
  }
  let info = await client.info(signal);
  // The pinned certificate and our run id already match, but the worker may not have heard from the task
  // metadata endpoint yet (slow agent, loaded host): give it until the readiness deadline.
  while (info.runId === run.opts.runId && info.taskArn === null && Date.now() < deadline) {
    await sleep(500, signal);
    info = await client.info(signal);
  }
  if (info.runId !== run.opts.runId || info.taskArn !== task.arn) {
    throw new WorkerIdentityError(
      `worker at ${client.baseUrl} is not ours: it says run ${String(info.runId)} task ${String(info.taskArn)}, expected run ${run.opts.runId} task ${task.arn}`,
      { taskArn: task.arn, url: client.baseUrl },
    );
  }
}

/**
 * Serves one task from the moment it is RUNNING: waits for its worker, then pulls segments from
 * the shared queue while it has a free slot (plus one segment of look-ahead when nobody else is
 * waiting for work), takes back a look-ahead segment another task has not started when the queue
 * is empty, and retires the task as soon as nothing is left for it.
 */
export async function serveTask(run: RunState, task: FleetTask, address: TaskAddress): Promise<void> {
  const { opts, queue } = run;
  const signal = anySignal(run.signal, task.controller.signal);
  const client = new WorkerClient(
    workerUrl(address, workerScheme(run.identity)),
    run.identity.token,
    task.arn,
    run.dispatcher,
    opts.timeouts.httpMs,
    { minBytesPerSecond: opts.transport.minBytesPerSecond, windowMs: opts.transport.slowTransferMs },
  );
  task.client = client;
  try {
    await waitForWorker(run, task, client, signal);
  } catch (error) {
    if (!signal.aborted) run.markLost(task, error instanceof Error ? error.message : String(error));
    return;
  }
  task.readyAt = new Date();
  task.phase = "ready";
  run.emit({
    type: "task.ready",
    taskArn: task.arn,
    url: client.baseUrl,
    startupMs: task.readyAt.getTime() - task.launchedAt.getTime(),
  });
  queue.notify();

  // Checked from now until its last attempt ended: a worker that stops answering is given up on in seconds.
  const stopWatching = new AbortController();
  const watching = watchLiveness(run, task, client, anySignal(signal, stopWatching.signal));
  const inflight = new Set<Promise<void>>();
  try {
    while (!signal.aborted && !run.failed && task.phase === "ready" && !queue.allSettled) {
      const allowTried = run.liveTasks().every((t) => t === task);
      const taken = nextWork(queue, {
        taskArn: task.arn,
        active: task.active,
        slotsPerTask: opts.slotsPerTask,
        lookAhead: opts.lookAhead,
        demandElsewhere: run.demandElsewhere(task),
        freeElsewhere: run.freeElsewhere(task),
        allowTried,
      });
      if (taken !== undefined) {
        task.active += 1;
        const p: Promise<void> = attemptSegment(run, task, client, taken.state, signal, taken.ahead).finally(
          () => {
            task.active -= 1;
            inflight.delete(p);
            queue.notify();
          },
        );
        inflight.add(p);
        continue;
      }
      if (task.active === 0 && !queue.hasWorkFor(task.arn, allowTried)) break;
      await abortable(queue.changed(), signal).catch(() => {});
    }
  } finally {
    await Promise.allSettled([...inflight]);
    stopWatching.abort();
    await watching;
  }
  // Early release: a task with nothing left to do stops costing money now, not at the end of the run.
  if (!run.signal?.aborted && (task.phase === "ready" || task.phase === "draining")) await run.retire(task);
  run.ensureCapacity();
}
