export {
  type ExtractAudioOptions,
  extractAudio,
  extractAudioOptionsSchema,
  type MuxAudioOptions,
  muxAudio,
  muxAudioOptionsSchema,
} from "./audio.js";
export { type ConcatSegmentsOptions, concatSegments, concatSegmentsOptionsSchema } from "./concat.js";
export {
  FfmpegError,
  type FfmpegErrorDetails,
  FfmpegNotFoundError,
  type FfmpegSearchAttempt,
  FrameMismatchError,
  MediaRefusedError,
  ProbeError,
  type RefusedKind,
  type SegmentField,
  SegmentMismatchError,
  VideoError,
  type VideoErrorCode,
  VideoOptionsError,
} from "./errors.js";
export {
  type FfmpegLocation,
  type FfmpegSource,
  type FindFfmpegOptions,
  findFfmpeg,
  findFfmpegOptionsSchema,
} from "./find.js";
export {
  type FrameExpectation,
  frameExpectationSchema,
  readFrameTimes,
  verifySegmentFrames,
} from "./frames.js";
export {
  type GenerateTestVideoOptions,
  generateTestVideo,
  generateTestVideoOptionsSchema,
} from "./generate.js";
export {
  type JoinSegmentsOptions,
  joinSegments,
  joinSegmentsOptionsSchema,
  type SegmentOutput,
} from "./join.js";
export { type ProbeOptions, probe, probeOptionsSchema, type VideoInfo } from "./probe.js";
export type { FfmpegProgress } from "./progress.js";
export {
  type CompareFramesOptions,
  compareFrames,
  compareFramesOptionsSchema,
  type FrameQuality,
} from "./quality.js";
export { type RunFfmpegOptions, type RunFfmpegResult, runFfmpeg, runFfmpegOptionsSchema } from "./run.js";
export { X264_PRESETS, type X264Preset } from "./schema.js";
export { type SplitVideoOptions, splitVideo, splitVideoOptionsSchema, type VideoSegment } from "./split.js";
export { ALLOWED_DEMUXERS, ALLOWED_PROTOCOLS, untrustedInputArgs } from "./untrusted.js";
