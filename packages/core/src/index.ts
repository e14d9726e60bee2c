export type { AwsErrorContext, AwsErrorKind, LaunchFailureReason, ValidationProblem } from "./errors.js";
export {
  AwsCallError,
  ConfigurationError,
  FanoutError,
  FanoutTimeoutError,
  IntegrityError,
  JobFailedError,
  LaunchError,
  ManifestError,
  NoCapacityError,
  NoDefaultVpcError,
  RunInterruptedError,
  TaskLostError,
  ValidationError,
  WorkerError,
  WorkerIdentityError,
} from "./errors.js";
export type {
  EventPayload,
  FanoutEvent,
  FanoutEventType,
  RunFinishedEvent,
  RunMetricsEvent,
  RunStartedEvent,
  SegmentDownloadedEvent,
  SegmentFailedEvent,
  SegmentProgressEvent,
  SegmentResumedEvent,
  SegmentStartedEvent,
  SegmentTakenBackEvent,
  SegmentUploadedEvent,
  TaskBilledEvent,
  TaskFallbackEvent,
  TaskLaunchedEvent,
  TaskLaunchFailedEvent,
  TaskReadyEvent,
  TaskRunningEvent,
  TaskStoppedEvent,
} from "./events.js";
export { EVENT_TYPES } from "./events.js";
export type { Logger } from "./logger.js";
export { jsonLinesLogger, quietLogger } from "./logger.js";
export type { CleanupOptions, CleanupResult, SkipReason } from "./manage/cleanup.js";
export { cleanupStaleTasks } from "./manage/cleanup.js";
export type { ManageOptions } from "./manage/context.js";
export type { ListedTask, ListTasksOptions } from "./manage/list-tasks.js";
export { listTasks } from "./manage/list-tasks.js";
export type { MetricsSegment, MetricsTask } from "./metrics.js";
export { computeMetrics } from "./metrics.js";
export type {
  ApiRateOptions,
  AwsClients,
  AwsConfig,
  BatchRunOptions,
  LaunchOptions,
  LaunchType,
  NetworkOptions,
  RetryOptions,
  RunNetwork,
  Segment,
  SegmentInput,
  SegmentOrder,
  TaskOverrides,
  TimeoutOptions,
  TransportOptions,
} from "./options.js";
export type { RunPlan } from "./plan.js";
export { planRun } from "./plan.js";
export type {
  BillingTimestamps,
  CostedTask,
  Ec2GpuPrice,
  FargateRate,
  FargateRateTable,
  PricingOptions,
} from "./pricing.js";
export {
  billedSeconds,
  DEFAULT_MINIMUM_BILLED_SECONDS,
  EC2_GPU_PRICES,
  ec2GpuCost,
  estimateRunCost,
  FARGATE_RATES,
  FARGATE_SPOT_DISCOUNT,
  fargateCost,
  fargateRate,
  PRICES_AS_OF,
  taskCost,
} from "./pricing.js";
// ── The run record: manifest schema, reader, and the HTML report renderer ──────────────────
export type { RecordedRun } from "./record/chain.js";
export { lastChain, recordedRuns } from "./record/chain.js";
export type { Manifest, ReadManifestOptions } from "./record/read.js";
export { readManifest } from "./record/read.js";
export type { ManifestRecord, RecordedOptions } from "./record/schema.js";
export { manifestRecordSchema } from "./record/schema.js";
export { MANIFEST_NAME } from "./record/writer.js";
export { renderReport } from "./report/render.js";
export type { BatchRunResult, RunMetrics, SegmentResult, SegmentTimings, TaskResult } from "./result.js";
export type { BatchRun } from "./run/run.js";
export { executeParallelBatches, runParallelBatches } from "./run/run.js";
export { validateRunOptions } from "./run/validate.js";
export { DEFAULT_STARTED_BY, MANAGED_BY_TAG, MANAGED_BY_VALUE, RUN_ID_TAG } from "./tags.js";
export type { WorkerTaskDefinitionOptions } from "./task-definition.js";
export {
  DEFAULT_MODEL_CACHE_HOST_PATH,
  fargateSizeProblem,
  workerTaskDefinition,
} from "./task-definition.js";
// ── end of the run record ─────────────────────────────────────────────────────────────────
