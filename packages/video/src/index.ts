export { type ExtractAudioOptions, extractAudio, type MuxAudioOptions, muxAudio } from "./audio.js";
export { type ConcatSegmentsOptions, concatSegments } from "./concat.js";
export {
  FfmpegError,
  type FfmpegErrorDetails,
  FfmpegNotFoundError,
  type FfmpegSearchAttempt,
  ProbeError,
  type SegmentField,
  SegmentMismatchError,
  VideoError,
  type VideoErrorCode,
  VideoOptionsError,
} from "./errors.js";
export { type FfmpegLocation, type FfmpegSource, type FindFfmpegOptions, findFfmpeg } from "./find.js";
export { type GenerateTestVideoOptions, generateTestVideo } from "./generate.js";
export { type ProbeOptions, probe, type VideoInfo } from "./probe.js";
export type { FfmpegProgress } from "./progress.js";
export { type RunFfmpegOptions, type RunFfmpegResult, runFfmpeg } from "./run.js";
export { type SplitVideoOptions, splitVideo, type VideoSegment } from "./split.js";
export { X264_PRESETS, type X264Preset } from "./validate.js";
