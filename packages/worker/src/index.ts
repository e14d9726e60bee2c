export {
  childEnvironment,
  type Env,
  loadWorkerConfig,
  type WorkerConfig,
  type WorkerEnv,
  workerEnvSchema,
} from "./config.js";
export { ParamsError, ProcessorError, ToolError, WorkerConfigError, WorkerError } from "./errors.js";
export { type LogEvent, type LogSink, quiet } from "./log.js";
export { INPUT_FORMATS, UNTRUSTED_INPUT_ARGS } from "./media/container.js";
export {
  DENOISE_FILTERS,
  type DenoiseFilter,
  type FfmpegScaleOptions,
  ffmpegScale,
  ffmpegScaleArgs,
  ffmpegScaleParams,
  TEMPORAL_FILTERS,
  type TemporalFilter,
  X264_PRESETS,
} from "./processors/ffmpeg-scale.js";
export {
  REALESRGAN_MODELS,
  type RealEsrganOptions,
  realEsrgan,
  realEsrganArgs,
  realEsrganParams,
} from "./processors/realesrgan.js";
export {
  enabledProcessors,
  findProcessor,
  PROCESSORS,
  type ResolvedParams,
  resolveParams,
} from "./processors/registry.js";
export {
  SEEDVR2_ATTENTION_MODES,
  SEEDVR2_COLOR_CORRECTIONS,
  type SeedVr2Options,
  seedVr2,
  seedVr2Args,
  seedVr2Params,
} from "./processors/seedvr2.js";
export {
  type SyntheticOptions,
  synthetic,
  syntheticBytes,
  syntheticParams,
} from "./processors/synthetic.js";
export type {
  DownloadFaults,
  Processor,
  ProcessorContext,
  ProcessorResult,
} from "./processors/types.js";
export {
  DEFAULT_PROCESSOR,
  decodeParams,
  type ErrorResponse,
  encodeParams,
  type FanoutParams,
  HEADER_PARAMS,
  HEADER_SHA256,
  type HealthResponse,
  type InfoResponse,
  isValidJobId,
  type JobOutputInfo,
  type JobState,
  type JobStatus,
  type JobTimings,
  MAX_WAIT_SECONDS,
  PROTOCOL_VERSION,
} from "./protocol.js";
export { type RunningWorker, type ShutdownOptions, startWorker } from "./worker.js";
