/**
 * The one schema of a run's story: every event a run emits, and the manifest, which is those
 * events written one JSON line each. Times are milliseconds since the epoch; absent values are
 * absent keys (JSON has no undefined). `run.finished` (it carries the in-memory result) and
 * `segment.progress`, `capacity.waiting` and `stage.progress` (samples, not facts) are events only,
 * never manifest lines.
 */
import { z } from "zod";

const ms = z.number().finite().describe("a time in milliseconds since the epoch");
const count = z.number().int().nonnegative();
const duration = z.number().finite().nonnegative().describe("a duration in milliseconds");
const text = z.string();
const optText = text.optional();
const sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("a sha256 in hex");

const base = { time: ms, runId: text };

/** The networking every task is launched with (see RunNetwork). */
export const runNetworkSchema = z.strictObject({
  subnets: z.array(text).readonly().optional(),
  securityGroups: z.array(text).readonly().optional(),
  assignPublicIp: z.boolean(),
  endpoint: z.enum(["public", "private"]),
  defaultVpc: optText,
});

/**
 * What a run was asked to do, as far as it is safe to write down: a whitelist, so a token, a
 * TLS key, an environment value or a presigned URL never reaches a manifest.
 */
export const recordedOptionsSchema = z.strictObject({
  cluster: text,
  taskDefinition: text,
  containerName: optText,
  containerPort: z.number().int().optional(),
  outputDir: optText,
  /** The run's S3 output prefix (`s3://bucket/prefix/`), when outputs go to S3. */
  outputs: optText,
  /** The S3 prefix local inputs were staged under, when they were. */
  stage: optText,
  keepStaged: z.boolean().optional(),
  region: optText,
  maxParallelTasks: count,
  segmentsPerBatch: count,
  slotsPerTask: count,
  lookAhead: z.boolean(),
  order: text,
  launch: z.strictObject({
    type: text,
    fallbackToOnDemand: z.boolean().optional(),
    capacityProviders: z.array(text).readonly().optional(),
  }),
  overrides: z.strictObject({
    cpu: optText,
    memory: optText,
    gpu: z.number().optional(),
    /** Names only: values may be secrets. */
    environmentNames: z.array(text).readonly().optional(),
  }),
  /** The run's processor options: numbers, booleans and the processor's name only. */
  params: z.record(text, z.union([z.number(), z.boolean(), text])),
  startedBy: text,
  platformVersion: optText,
  pollIntervalMs: count,
  segmentAttempts: count,
  maxReplacements: count.optional(),
  resume: z.boolean(),
});

/** A segment's input as the manifest knows it: its size and sha256 when it is a local file. */
const inputFacts = z.strictObject({ bytes: count.optional(), sha256: sha256.optional() });

/** An output that landed in S3 and matched the worker's checksum (never a presigned URL). */
const s3Output = z.strictObject({
  uri: text,
  versionId: optText,
  bytes: count,
  sha256,
  etag: optText,
});

const timings = z.strictObject({
  uploadMs: duration,
  queuedMs: duration,
  processMs: duration,
  downloadMs: duration,
});

/** Run metrics as docs/cost-model.md defines them (see RunMetrics). */
export const runMetricsSchema = z.strictObject({
  wallSeconds: z.number(),
  startupSeconds: z.number(),
  workSeconds: z.number(),
  sequentialEstimateSeconds: z.number(),
  speedupFactor: z.number(),
  idealSpeedup: z.number(),
  parallelEfficiency: z.number(),
  processingEfficiency: z.number(),
  billedSeconds: z.number(),
  totalCostUsd: z.number().optional(),
  costPerSegmentUsd: z.number().optional(),
  sequentialCostUsd: z.number().optional(),
  costOverheadVsSequential: z.number().optional(),
  resumedFrom: z.array(text).readonly(),
  resumedSegments: count,
  priorCostUsd: z.number().optional(),
  priorWallSeconds: z.number(),
  s3Requests: z.strictObject({ put: count, get: count, costUsd: z.number().optional() }).optional(),
});

export const runStartedSchema = z.strictObject({
  ...base,
  type: z.literal("run.started"),
  segments: count,
  plannedTasks: count,
  network: runNetworkSchema,
  options: recordedOptionsSchema.optional(),
  /** The run this one resumes (the last run in the manifest), when resuming. */
  resumedFrom: optText,
});

export const taskLaunchedSchema = z.strictObject({
  ...base,
  type: z.literal("task.launched"),
  taskArn: text,
  launchType: optText,
  capacityProvider: optText,
  replacementFor: optText,
  cpu: z.number().optional(),
  memory: z.number().optional(),
  gpus: z.number().optional(),
});

export const taskLaunchFailedSchema = z.strictObject({
  ...base,
  type: z.literal("task.launchFailed"),
  /** Placements asked for in the wave of RunTask calls that had refusals (absent in older records). */
  tried: count.optional(),
  /** Placements of that wave AWS refused; `reasons` holds one reason per refusal. */
  count,
  reasons: z.array(text).readonly(),
  kind: z.enum(["capacity", "spot-capacity", "configuration"]),
  willRetry: z.boolean(),
});

/**
 * Tasks are waiting for capacity (refused placements being retried, or tasks in PROVISIONING):
 * `placed` of the `wanted` tasks have an instance (or Fargate capacity) so far. Emitted when the
 * count changes while some wait, and once more when the last is placed.
 */
export const capacityWaitingSchema = z.strictObject({
  ...base,
  type: z.literal("capacity.waiting"),
  placed: count,
  wanted: count,
  /** The tasks ask for GPUs. */
  gpu: z.boolean(),
  /** Since the first task of the run was asked for. */
  waitingMs: duration,
});

export const taskFallbackSchema = z.strictObject({
  ...base,
  type: z.literal("task.fallback"),
  from: text,
  to: text,
  count,
  reason: text,
});

/** ECS's lifecycle stamps of a task, as far as they are known. */
const lifecycle = {
  createdAt: ms.optional(),
  pullStartedAt: ms.optional(),
  pullStoppedAt: ms.optional(),
  startedAt: ms.optional(),
};

export const taskRunningSchema = z.strictObject({
  ...base,
  type: z.literal("task.running"),
  taskArn: text,
  host: text,
  port: z.number().int(),
  ...lifecycle,
});

export const taskReadySchema = z.strictObject({
  ...base,
  type: z.literal("task.ready"),
  taskArn: text,
  url: text,
  startupMs: z.number(),
});

export const taskStoppedSchema = z.strictObject({
  ...base,
  type: z.literal("task.stopped"),
  taskArn: text,
  stopCode: optText,
  stoppedReason: optText,
  exitCode: z.number().int().optional(),
  expected: z.boolean(),
  lostBecause: optText,
});

/** The task's worker is draining (a Spot notice, a stop under way): it takes nothing new; a replacement is asked for. */
export const taskDrainingSchema = z.strictObject({
  ...base,
  type: z.literal("task.draining"),
  taskArn: text,
  /** How the run heard: the worker itself (status, health, a refused upload) or DescribeTasks. */
  noticedBy: z.enum(["worker", "describeTasks"]),
});

/** A task's whole account once it stopped (or the run ended): every stamp, billing and cost. */
export const taskBilledSchema = z.strictObject({
  ...base,
  type: z.literal("task.billed"),
  taskArn: text,
  launchType: optText,
  capacityProvider: optText,
  cpu: z.number().optional(),
  memory: z.number().optional(),
  gpus: z.number(),
  instanceType: optText,
  replacementFor: optText,
  launchedAt: ms,
  ...lifecycle,
  readyAt: ms.optional(),
  stopRequestedAt: ms.optional(),
  stoppedAt: ms.optional(),
  stopCode: optText,
  stoppedReason: optText,
  exitCode: z.number().int().optional(),
  lostBecause: optText,
  lastStatus: optText,
  segmentsSucceeded: count,
  segmentsAttempted: count,
  processingSeconds: z.number(),
  billedSeconds: z.number(),
  billingEstimated: z.boolean(),
  costUsd: z.number().optional(),
  /** Set when the task belongs to an earlier run this one resumed (priced after the fact). */
  fromRunId: optText,
});

const attemptBase = { ...base, segmentId: text, taskArn: text, attempt: count };

export const segmentUploadedSchema = z.strictObject({
  ...attemptBase,
  type: z.literal("segment.uploaded"),
  bytes: count,
  durationMs: duration,
});

export const segmentStartedSchema = z.strictObject({ ...attemptBase, type: z.literal("segment.started") });

export const segmentProgressSchema = z.strictObject({
  ...attemptBase,
  type: z.literal("segment.progress"),
  progress: z.number(),
});

export const segmentDownloadedSchema = z.strictObject({
  ...attemptBase,
  type: z.literal("segment.downloaded"),
  /** The verified file in outputDir; absent when the output stays in S3 only. */
  path: optText,
  /** The verified object in S3, when the output went there. */
  s3: s3Output.optional(),
  bytes: count,
  sha256,
  timings: timings.optional(),
  input: inputFacts.optional(),
});

export const segmentFailedSchema = z.strictObject({
  ...base,
  type: z.literal("segment.failed"),
  segmentId: text,
  taskArn: optText,
  attempt: count,
  code: text,
  message: text,
  willRetry: z.boolean(),
});

/**
 * An attempt that had not started was called back into the queue with no new owner yet: its
 * task is draining (Spot notice), or a retry takes its place. Not a failed attempt.
 */
export const segmentRequeuedSchema = z.strictObject({
  ...base,
  type: z.literal("segment.requeued"),
  segmentId: text,
  fromTaskArn: text,
  reason: z.enum(["draining", "retryFirst"]),
});

export const segmentTakenBackSchema = z.strictObject({
  ...base,
  type: z.literal("segment.takenBack"),
  segmentId: text,
  fromTaskArn: text,
  toTaskArn: text,
});

/** A segment an earlier run finished whose output (and input) still match: reused, not redone. */
export const segmentResumedSchema = z.strictObject({
  ...base,
  type: z.literal("segment.resumed"),
  segmentId: text,
  path: optText,
  s3: s3Output.optional(),
  bytes: count,
  sha256,
  fromRunId: text,
  timings: timings.optional(),
  input: inputFacts.optional(),
});

/**
 * Progress of staging local inputs in S3 (a sample, not a fact: an event only, never a manifest
 * line). `done` once every staged object landed.
 */
export const stageProgressSchema = z.strictObject({
  ...base,
  type: z.literal("stage.progress"),
  bytesDone: count,
  bytesTotal: count,
  objectsDone: count,
  objectsTotal: count,
  done: z.boolean(),
});

/** Where a multipart upload is: its object and S3's id for it (not a secret; never a presigned URL). */
const multipartUpload = { bucket: text, key: text, uploadId: text };

/**
 * The orchestrator created a multipart upload — staging a local input, or for an attempt's output
 * — and it stays open until a `multipart.closed` line with its `uploadId`. A resume aborts every
 * upload its earlier runs left open (an orchestrator killed mid-upload).
 */
export const multipartOpenedSchema = z.strictObject({
  ...base,
  type: z.literal("multipart.opened"),
  ...multipartUpload,
  purpose: z.enum(["stage", "output"]),
  segmentId: text,
});

/**
 * A multipart upload is closed: completed, aborted, or `gone` (S3 no longer knows it: an abort
 * answered NoSuchUpload). `fromRunId` is set when this run closed an upload an earlier run opened.
 */
export const multipartClosedSchema = z.strictObject({
  ...base,
  type: z.literal("multipart.closed"),
  ...multipartUpload,
  outcome: z.enum(["completed", "aborted", "gone"]),
  fromRunId: optText,
});

/**
 * Aborting a multipart upload failed (a warning, never fatal): it stays open in the record, the
 * run tries again at its end, and a resume tries again. `error` is S3's error name and message.
 */
export const multipartAbortFailedSchema = z.strictObject({
  ...base,
  type: z.literal("multipart.abortFailed"),
  ...multipartUpload,
  error: text,
  fromRunId: optText,
});

/** The run's metrics and counts, once every segment settled and every task was stopped. */
export const runMetricsEventSchema = z.strictObject({
  ...base,
  type: z.literal("run.metrics"),
  startedAt: ms,
  finishedAt: ms,
  plannedTasks: count,
  tasksLaunched: count,
  succeeded: count,
  failed: count,
  metrics: runMetricsSchema,
});

/** Every manifest line, discriminated by `type`. */
export const manifestRecordSchema = z.discriminatedUnion("type", [
  runStartedSchema,
  taskLaunchedSchema,
  taskLaunchFailedSchema,
  taskFallbackSchema,
  taskRunningSchema,
  taskReadySchema,
  taskDrainingSchema,
  taskStoppedSchema,
  taskBilledSchema,
  segmentUploadedSchema,
  segmentStartedSchema,
  segmentDownloadedSchema,
  segmentFailedSchema,
  segmentTakenBackSchema,
  segmentRequeuedSchema,
  segmentResumedSchema,
  multipartOpenedSchema,
  multipartClosedSchema,
  multipartAbortFailedSchema,
  runMetricsEventSchema,
]);

/** One manifest line. */
export type ManifestRecord = z.output<typeof manifestRecordSchema>;
/** What a run records about its options. */
export type RecordedOptions = z.output<typeof recordedOptionsSchema>;
