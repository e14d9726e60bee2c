export type { ProviderKind } from "./ecs/capacity-providers.js";
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
  CapacityWaitingEvent,
  EventPayload,
  FanoutEvent,
  FanoutEventType,
  MultipartAbortFailedEvent,
  MultipartClosedEvent,
  MultipartOpenedEvent,
  RunFinishedEvent,
  RunMetricsEvent,
  RunStartedEvent,
  SegmentDownloadedEvent,
  SegmentFailedEvent,
  SegmentProgressEvent,
  SegmentRequeuedEvent,
  SegmentResumedEvent,
  SegmentStartedEvent,
  SegmentTakenBackEvent,
  SegmentUploadedEvent,
  StageProgressEvent,
  TaskBilledEvent,
  TaskDrainingEvent,
  TaskFallbackEvent,
  TaskLaunchedEvent,
  TaskLaunchFailedEvent,
  TaskReadyEvent,
  TaskRunningEvent,
  TaskStoppedEvent,
} from "./events.js";
export { EVENT_TYPES } from "./events.js";
export type { Logger } from "./logger.js";
export { jsonLinesLogger } from "./logger.js";
export type { CleanupResult, SkipReason } from "./manage/cleanup.js";
export { cleanupStaleTasks } from "./manage/cleanup.js";
export type { GpuProviderChoice } from "./manage/gpu-provider.js";
export { chooseGpuProvider, findGpuCapacityProvider } from "./manage/gpu-provider.js";
export type { ListedTask } from "./manage/list-tasks.js";
export { listTasks } from "./manage/list-tasks.js";
export type { AwsClients, AwsConfig, AwsCredentials } from "./options/common.js";
export type { LaunchOptions } from "./options/launch.js";
export type { ApiRateOptions, LivenessOptions, RetryOptions, TimeoutOptions } from "./options/limits.js";
export type { CleanupOptions, FindGpuProviderOptions, ListTasksOptions } from "./options/manage.js";
export type { NetworkOptions } from "./options/network.js";
export type { TaskOverrides } from "./options/overrides.js";
export type { PricingOptions } from "./options/pricing.js";
export type { BatchRunOptions } from "./options/run.js";
export type { Segment, SegmentInput } from "./options/segments.js";
export type { WorkerTaskDefinitionOptions } from "./options/task-definition.js";
export type { RunNetwork } from "./options.js";
// The run record: manifest schema, reader, and the HTML report renderer.
export type { RecordedRun } from "./record/chain.js";
export { lastChain, recordedRuns } from "./record/chain.js";
export type { Manifest, ReadManifestOptions } from "./record/read.js";
export { readManifest } from "./record/read.js";
export type { ManifestRecord, RecordedOptions } from "./record/schema.js";
export { manifestRecordSchema } from "./record/schema.js";
export { MANIFEST_NAME } from "./record/writer.js";
export { renderReport } from "./report/render.js";
export type {
  BatchRunResult,
  RunMetrics,
  S3RequestUsage,
  SegmentResult,
  SegmentS3Output,
  SegmentTimings,
  TaskResult,
} from "./result.js";
export type { BatchRun } from "./run/run.js";
export { executeParallelBatches, runParallelBatches } from "./run/run.js";
export { MANAGED_BY_TAG, MANAGED_BY_VALUE, RUN_ID_TAG } from "./tags.js";
export { workerTaskDefinition } from "./task-definition.js";
export type { TransportOptions } from "./worker/transport-options.js";
