export { type CostEstimate, estimate, formatEstimate } from "./commands/cost.js";
export {
  CliError,
  type CliErrorCode,
  DeclinedError,
  ExitCode,
  InterruptedError,
  RunFailedError,
  UsageError,
  VerificationError,
} from "./errors.js";
export type { CliIo, CliStream } from "./io.js";
export { main } from "./main.js";
export type { CostOptions } from "./parse/cost-options.js";
export { type Parsed, parseDuration } from "./parse/values.js";
export { createProgram } from "./program.js";
export type { Phase, ProgressReporter } from "./progress/types.js";
export { formatRunReport, type RunReportInput, type VideoSummary } from "./report/run-report.js";
export { GPU_STAND_IN_PATH, gpuStandInEnvironment } from "./stand-in.js";
export { type AwsConfigEvidence, detectAwsConfig } from "./target/aws-config.js";
export { type LocalTarget, type LocalTargetOptions, openLocalTarget } from "./target/local.js";
export type { Target } from "./target/target.js";
export {
  type PipelineTimings,
  type UpscaleJob,
  type UpscaleOutcome,
  upscaleVideo,
} from "./upscale/pipeline.js";
export { type VideoFacts, verifyUpscaled } from "./upscale/verify.js";
