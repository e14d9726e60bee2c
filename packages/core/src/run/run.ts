import { mkdir } from "node:fs/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { clientRegion, resolveClients } from "../aws/clients.js";
import type { AwsContext } from "../aws/context.js";
import { createBuckets } from "../aws/token-bucket.js";
import { preflight } from "../ecs/preflight.js";
import { describeTaskDefinition } from "../ecs/task-definition-info.js";
import { RunInterruptedError } from "../errors.js";
import { parseOptions } from "../options/check.js";
import type { RegionPricing } from "../options/pricing.js";
import { type BatchRunOptions, type RunOptions, runOptionsSchema } from "../options/run.js";
import { planRun } from "../plan.js";
import { billedPayload } from "../record/billed.js";
import { recordedOptions } from "../record/options-record.js";
import { ManifestWriter } from "../record/writer.js";
import type { BatchRunResult, SegmentResult } from "../result.js";
import { makeS3Client } from "../s3/client.js";
import { MultipartLedger } from "../s3/multipart-ledger.js";
import { Presigner } from "../s3/presign.js";
import { countRequestsOf, type S3RequestCount, withRequestCount } from "../s3/request-count.js";
import { abortable, anySignal, throwIfAborted } from "../util/abort.js";
import { AsyncQueue } from "../util/async-queue.js";
import { stopEverything } from "./finish.js";
import { hasPublicIp, resolveRunNetwork } from "./network.js";
import { queueOrder, resolveWeights } from "./order.js";
import { pollLoop } from "./poller.js";
import { type PriorCost, settlePriorTasks } from "./prior-tasks.js";
import { buildResult, taskResultOf } from "./result-builder.js";
import { planResume, type ResumePlan } from "./resume.js";
import { RunState } from "./run-state.js";
import { removeStaged, stagedByEarlierRuns, stageInputs } from "./stage.js";
import { removeStaleParts } from "./stale-parts.js";

/** Whether any segment reads from or writes to S3 (then the run needs an S3 client). */
const usesS3 = (opts: RunOptions): boolean =>
  opts.stage !== undefined || opts.segments.some((s) => "s3" in s.input || s.outputS3 !== undefined);

/** Stage events at most this often (plus the last one). */
const STAGE_EVENT_MS = 250;

/**
 * Gives the run its S3 side and starts staging local inputs (ahead of demand: while tasks start).
 * `finish` waits for the staging and removes the staged objects unless asked to keep them.
 */
function startS3(
  run: RunState,
  s3: S3Client | undefined,
  resume: ResumePlan | undefined,
): { finish(): Promise<void> } | undefined {
  const { opts } = run;
  if (s3 === undefined) return undefined;
  const uploads = new MultipartLedger(s3, (note) => run.emit(note), opts.logger);
  if (opts.stage === undefined) {
    run.s3 = { s3, presigner: new Presigner(s3), uploads, staged: new Map() };
    return undefined;
  }
  let last = 0;
  const stagePrefix = opts.stage;
  const stage = stageInputs({
    s3,
    uploads,
    prefix: opts.stage,
    runId: opts.runId,
    segments: opts.segments.filter((s) => !resume?.reused.has(s.id)),
    signal: run.signal as AbortSignal,
    onProgress: (p) => {
      const now = Date.now();
      if (!p.done && now - last < STAGE_EVENT_MS) return;
      last = now;
      run.emit({ type: "stage.progress", ...p });
    },
  });
  run.s3 = { s3, presigner: new Presigner(s3), uploads, staged: stage.staged };
  return {
    async finish() {
      await stage.all;
      if (opts.keepStaged) return;
      // Deleting a key that is not there succeeds: the earlier runs' keys need no listing first.
      const objects = [
        ...stage.objects,
        ...(resume === undefined ? [] : stagedByEarlierRuns(stagePrefix, resume.runIds, opts.segments)),
      ];
      const removed = await removeStaged(s3, objects);
      if (removed < objects.length)
        opts.logger.warn("some staged inputs could not be removed", {
          removed,
          staged: objects.length,
        });
    },
  };
}

/** Aborts every multipart upload the resumed runs left open; each outcome is an event. Never throws. */
async function abortLeftovers(run: RunState, resume: ResumePlan | undefined): Promise<void> {
  const uploads = run.s3?.uploads;
  if (resume === undefined || resume.openUploads.length === 0 || uploads === undefined) return;
  await Promise.all(resume.openUploads.map((u) => uploads.abort(u, u.fromRunId)));
}

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
  opts: RunOptions,
  results: AsyncQueue<SegmentResult>,
  s3Requests: S3RequestCount,
): Promise<BatchRunResult> {
  const internal = new AbortController();
  const signal = anySignal(opts.signal, internal.signal);
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!internal.signal.aborted) internal.abort(new RunInterruptedError(sig));
  };
  if (opts.handleSignals) for (const sig of SIGNALS) process.on(sig, onSignal);
  const clients = resolveClients(opts.clients, opts.aws);
  let ownS3: S3Client | undefined;
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
    if (opts.outputDir !== undefined) {
      await mkdir(opts.outputDir, { recursive: true });
      const stale = await removeStaleParts(opts.outputDir, opts.segments);
      if (stale.length > 0) opts.logger.info("removed partial downloads of an earlier run", { files: stale });
    }
    // Read what earlier runs did before this run appends its own lines to the same manifest.
    let s3Client = usesS3(opts) ? (opts.clients.s3 ?? makeS3Client(opts.aws)) : undefined;
    ownS3 = opts.clients.s3 === undefined ? s3Client : undefined;
    if (s3Client !== undefined) countRequestsOf(s3Client);
    const resume =
      opts.resume && opts.manifest !== undefined
        ? await planResume(opts.manifest, opts.segments, signal, s3Client)
        : undefined;
    // Uploads an earlier run left open are aborted even when this run itself needs no S3.
    if (s3Client === undefined && (resume?.openUploads.length ?? 0) > 0) {
      s3Client = opts.clients.s3 ?? makeS3Client(opts.aws);
      ownS3 = opts.clients.s3 === undefined ? s3Client : undefined;
      countRequestsOf(s3Client);
    }
    if (resume !== undefined && resume.changed.length > 0)
      opts.logger.info("segments done earlier but changed since are redone", { segments: resume.changed });
    const region = opts.pricing.region ?? (await clientRegion(clients.ecs)) ?? "unknown";
    const td = await describeTaskDefinition(ctx, opts.taskDefinition, {
      containerName: opts.containerName,
      containerPort: opts.containerPort,
    });
    await preflight(ctx, td, region);
    // After validation and before any RunTask: an awsvpc launch without subnets gets the default VPC's.
    const network = await resolveRunNetwork(ctx, opts, td, region);
    const plan = planRun({
      segments: opts.segments.length - (resume?.reused.size ?? 0),
      maxParallelTasks: opts.maxParallelTasks,
      segmentsPerBatch: opts.segmentsPerBatch,
    });
    const weights = await resolveWeights(opts.segments);
    const order = queueOrder(weights, opts.order);
    const run = new RunState(opts, ctx, td, network, plan.tasks, results, { order, weights });
    const pricing = { ...opts.pricing, region };
    run.record = opts.manifest === undefined ? undefined : ManifestWriter.open(opts.manifest, opts.logger);
    const staging = startS3(run, s3Client, resume);
    try {
      return await fanOut(
        run,
        plan.tasks,
        opts.segments.length,
        pricing,
        resume,
        s3Client === undefined ? undefined : s3Requests,
      );
    } finally {
      await staging?.finish();
      run.record?.close();
    }
  } finally {
    if (opts.handleSignals) for (const sig of SIGNALS) process.off(sig, onSignal);
    clients.destroy();
    ownS3?.destroy();
  }
}

/** Launch, serve, settle and stop: the run proper, once the plan (and what a resume reuses) is known. */
async function fanOut(
  run: RunState,
  plannedTasks: number,
  segmentCount: number,
  pricing: RegionPricing,
  resume: ResumePlan | undefined,
  s3Requests: S3RequestCount | undefined,
): Promise<BatchRunResult> {
  const { opts } = run;
  const signal = run.signal as AbortSignal;
  run.emit({
    type: "run.started",
    segments: segmentCount,
    plannedTasks,
    network: run.network,
    options: recordedOptions(opts, { region: pricing.region, resume: opts.resume }),
    resumedFrom: resume?.fromRunId,
  });
  for (const state of run.queue.states) {
    const done = resume?.reused.get(state.segment.id);
    if (done === undefined) continue;
    run.queue.reuse(state, done);
    run.emit({
      type: "segment.resumed",
      segmentId: done.segmentId,
      path: done.path,
      s3: done.s3,
      bytes: done.bytes,
      sha256: done.sha256,
      fromRunId: done.fromRunId,
      timings: done.timings,
      input: done.input,
    });
    run.publish(state);
  }
  // The killed run's open multipart uploads, aborted alongside the run (S3 frees their parts).
  const leftovers = abortLeftovers(run, resume);
  // The killed run's tasks: stopped if still running, priced into this run's cost, alongside the run.
  const prior =
    resume === undefined
      ? Promise.resolve<PriorCost[]>([])
      : settlePriorTasks(run, resume, pricing).catch((error: unknown): PriorCost[] => {
          opts.logger.warn("could not settle the resumed run's tasks", { error: String(error) });
          return resume.priorTasks.map(() => ({ billedSeconds: 0, costUsd: undefined }));
        });
  const pollStop = new AbortController();
  const polling = pollLoop(run, anySignal(signal, pollStop.signal));
  let settledAt = new Date();
  try {
    if (plannedTasks > 0) run.launch(plannedTasks);
    await Promise.race([run.queue.finished, run.fatal, abortable(new Promise<never>(() => {}), signal)]);
  } finally {
    settledAt = new Date();
    pollStop.abort();
    await polling;
    await stopEverything(run);
    await run.dispatcher.destroy().catch(() => {});
    await run.livenessDispatcher.destroy().catch(() => {});
    await prior;
    await leftovers;
    // A second try for every upload whose abort failed (or whose attempt never got to it).
    const stillOpen = (await run.s3?.uploads.abortOpen()) ?? 0;
    if (stillOpen > 0)
      opts.logger.warn("multipart uploads are left open; a resume aborts them", { uploads: stillOpen });
    // Every task's account, even when the run was aborted: a later resume need not ask ECS.
    const now = new Date();
    for (const task of run.tasks.values())
      run.emit(billedPayload(taskResultOf(task, pricing, now, hasPublicIp(run.network))));
  }
  const priorCosts = await prior;
  const result = buildResult({
    runId: opts.runId,
    cluster: opts.cluster,
    plannedTasks,
    slotsPerTask: opts.slotsPerTask,
    lookAhead: opts.lookAhead,
    startedAt: run.startedAt,
    settledAt,
    states: run.queue.states,
    tasks: [...run.tasks.values()],
    pricing,
    publicIp: hasPublicIp(run.network),
    prior:
      resume === undefined
        ? undefined
        : {
            runIds: resume.runIds,
            wallSeconds: resume.priorWallSeconds,
            resumedSegments: resume.reused.size,
            tasks: priorCosts,
          },
    s3Requests,
  });
  run.emit({
    type: "run.metrics",
    startedAt: result.startedAt.getTime(),
    finishedAt: result.finishedAt.getTime(),
    plannedTasks: result.plannedTasks,
    tasksLaunched: result.tasksLaunched,
    succeeded: result.succeeded,
    failed: result.failed,
    metrics: result.metrics,
  });
  run.emit({ type: "run.finished", result });
  return result;
}

/**
 * Starts a run and returns at once: iterate it (or `results`) to get each segment the moment its
 * output is on disk, and await `done` for the final result. Options are validated first; invalid
 * options throw a ValidationError listing every problem before any AWS call.
 */
export function runParallelBatches(options: BatchRunOptions): BatchRun {
  const opts = parseOptions(runOptionsSchema, options, "run options");
  const results = new AsyncQueue<SegmentResult>();
  // Every S3 request the run's code makes or presigns counts here, whichever client it goes through.
  const s3Requests: S3RequestCount = { put: 0, get: 0 };
  const done = withRequestCount(s3Requests, () => execute(opts, results, s3Requests)).then(
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
