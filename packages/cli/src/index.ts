export { costCommand, estimate, formatEstimate } from "./commands/cost.js";
export { processorParams } from "./commands/run.js";
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
export { main, reportError } from "./main.js";
export { parseDuration } from "./parse/values.js";
export { createProgram } from "./program.js";
export type { Phase, ProgressReporter } from "./progress/types.js";
export { formatRunReport, type RunReportInput, runReportJson } from "./report/run-report.js";
export { GPU_STAND_IN_PATH, gpuStandInEnvironment } from "./stand-in.js";
export { detectAwsConfig } from "./target/aws-config.js";
export { type LocalTarget, type LocalTargetOptions, openLocalTarget } from "./target/local.js";
export {
  type PipelineTimings,
  type UpscaleJob,
  type UpscaleOutcome,
  upscaleVideo,
} from "./upscale/pipeline.js";
export { verifyUpscaled } from "./upscale/verify.js";
