import { mkdir } from "node:fs/promises";
import { clientRegion, resolveClients } from "../aws/clients.js";
import type { AwsContext } from "../aws/context.js";
import { createBuckets } from "../aws/token-bucket.js";
import { preflight } from "../ecs/preflight.js";
import { describeTaskDefinition } from "../ecs/task-definition-info.js";
import { RunInterruptedError } from "../errors.js";
import type { BatchRunOptions } from "../options.js";
import { planRun } from "../plan.js";
import type { BatchRunResult, SegmentResult } from "../result.js";
import { abortable, anySignal, throwIfAborted } from "../util/abort.js";
import { AsyncQueue } from "../util/async-queue.js";
import { stopEverything } from "./finish.js";
import { resolveRunNetwork } from "./network.js";
import { type NormalizedRunOptions, normalizeRunOptions } from "./normalize.js";
import { queueOrder, resolveWeights } from "./order.js";
import { pollLoop } from "./poller.js";
import { buildResult } from "./result-builder.js";
import { RunState } from "./run-state.js";
import { removeStaleParts } from "./stale-parts.js";

/** A run in progress: its segment results as they land on disk, and the final result. */
export interface BatchRun extends AsyncIterable<SegmentResult> {
  readonly runId: string;
  /**
   * Each segment's result the moment it settles: succeeded ones once their output is verified and
   * renamed into outputDir, failed ones once their last attempt failed. Ends when the run ends;
   * throws the run's error if it rejects. Buffered, so reading late loses nothing.
   */
  readonly results: AsyncIterable<SegmentResult>;
  /** The final result, after every task was stopped. Rejects on abort (with `signal.reason`) or a fatal error. */
  readonly done: Promise<BatchRunResult>;
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

async function execute(
  opts: NormalizedRunOptions,
  results: AsyncQueue<SegmentResult>,
): Promise<BatchRunResult> {
  const internal = new AbortController();
  const signal = anySignal(opts.signal, internal.signal);
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!internal.signal.aborted) internal.abort(new RunInterruptedError(sig));
  };
  if (opts.handleSignals) for (const sig of SIGNALS) process.on(sig, onSignal);
  const clients = resolveClients(opts.clients, opts.aws);
  const ctx: AwsContext = {
    clients,
    buckets: createBuckets(opts.apiRate),
    policy: {
      retries: opts.retry.awsRetries,
      minBackoffMs: opts.retry.minBackoffMs,
      maxBackoffMs: opts.retry.maxBackoffMs,
      logger: opts.logger,
    },
    cluster: opts.cluster,
    signal,
  };
  try {
    throwIfAborted(signal);
    await mkdir(opts.outputDir, { recursive: true });
    const stale = await removeStaleParts(opts.outputDir, opts.segments);
    if (stale.length > 0) opts.logger.info("removed partial downloads of an earlier run", { files: stale });
    const region = opts.pricing.region ?? (await clientRegion(clients.ecs)) ?? "unknown";
    const td = await describeTaskDefinition(ctx, opts.taskDefinition, {
      containerName: opts.containerName,
      containerPort: opts.containerPort,
    });
    await preflight(ctx, td, region);
    // After validation and before any RunTask: an awsvpc launch without subnets gets the default VPC's.
    const network = await resolveRunNetwork(ctx, opts, td, region);
    const plan = planRun({
      segments: opts.segments.length,
      maxParallelTasks: opts.maxParallelTasks,
      segmentsPerBatch: opts.segmentsPerBatch,
    });
    const weights = await resolveWeights(opts.segments);
    const order = queueOrder(weights, opts.order);
    const run = new RunState(opts, ctx, td, network, plan.tasks, results, { order, weights });
    run.emit({ type: "run.started", segments: plan.segments, plannedTasks: plan.tasks, network });
    const pollStop = new AbortController();
    const polling = pollLoop(run, anySignal(signal, pollStop.signal));
    let settledAt = new Date();
    try {
      run.launch(plan.tasks);
      await Promise.race([run.queue.finished, run.fatal, abortable(new Promise<never>(() => {}), signal)]);
    } finally {
      settledAt = new Date();
      pollStop.abort();
      await polling;
      await stopEverything(run);
      await run.dispatcher.destroy().catch(() => {});
    }
    const result = buildResult({
      runId: opts.runId,
      cluster: opts.cluster,
      plannedTasks: plan.tasks,
      slotsPerTask: opts.slotsPerTask,
      lookAhead: opts.lookAhead,
      startedAt: run.startedAt,
      settledAt,
      states: run.queue.states,
      tasks: [...run.tasks.values()],
      pricing: { ...opts.pricing, region },
    });
    run.emit({ type: "run.finished", result });
    return result;
  } finally {
    if (opts.handleSignals) for (const sig of SIGNALS) process.off(sig, onSignal);
    clients.destroy();
  }
}

/**
 * Starts a run and returns at once: iterate it (or `results`) to get each segment the moment its
 * output is on disk, and await `done` for the final result. Options are validated first; invalid
 * options throw a ValidationError listing every problem before any AWS call.
 */
export function runParallelBatches(options: BatchRunOptions): BatchRun {
  const opts = normalizeRunOptions(options);
  const results = new AsyncQueue<SegmentResult>();
  const done = execute(opts, results).then(
    (result) => {
      results.end();
      return result;
    },
    (error: unknown) => {
      results.fail(error);
      throw error;
    },
  );
  // Callers that only iterate still see the error there; this keeps `done` from being "unhandled".
  done.catch(() => {});
  return {
    runId: opts.runId,
    results,
    done,
    [Symbol.asyncIterator]: () => results[Symbol.asyncIterator](),
  };
}

/**
 * Fans segments out over ECS tasks and resolves with the full result once every segment settled
 * and every task was stopped. Segment failures are in the result; it rejects only for invalid
 * options, a refused launch, a fatal AWS error, or an abort (with `signal.reason`).
 */
export async function executeParallelBatches(options: BatchRunOptions): Promise<BatchRunResult> {
  return runParallelBatches(options).done;
}
