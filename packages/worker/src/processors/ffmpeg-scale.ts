import { probe, runFfmpeg, type VideoInfo, X264_PRESETS } from "@ecs-fanout/video";
import { ProcessorError } from "../errors.js";
import { OptionReader } from "./options.js";
import type { Normalized, Processor, ProcessorContext } from "./types.js";

/** libx264 presets, fastest first: what `preset` accepts (the video package's list). */
export { X264_PRESETS };

/** Options of the default processor, ffmpeg-scale, after defaults are applied. */
export interface FfmpegScaleOptions {
  /** Scale factor; ignored when `height` is set. @default 2 */
  scale: 2 | 3 | 4;
  /** Target height in pixels (even); width follows the aspect ratio, rounded to even. */
  height?: number;
  /** libx264 CRF. @default 18 */
  crf: number;
  /** libx264 preset. @default "veryfast" */
  preset: (typeof X264_PRESETS)[number];
  /** "auto" copies MP4-friendly audio and re-encodes anything else to AAC. @default "auto" */
  audio: "auto" | "copy" | "aac";
}

/** Audio codecs an MP4 container takes as they are. */
export const MP4_AUDIO_CODECS: ReadonlySet<string> = new Set(["aac", "mp3", "ac3", "eac3", "alac"]);

export function normalizeFfmpegScale(raw: Record<string, unknown>): Normalized<FfmpegScaleOptions> {
  const read = new OptionReader(raw);
  const scale = read.oneOf("scale", [2, 3, 4] as const);
  const height = read.number("height", { min: 16, max: 8640, integer: true });
  const crf = read.number("crf", { min: 0, max: 51, integer: true });
  const preset = read.oneOf("preset", X264_PRESETS);
  const audio = read.oneOf("audio", ["auto", "copy", "aac"] as const);
  read.finish();
  if (height !== undefined && height % 2 !== 0)
    read.addProblem(`height: expected an even number, got ${height}`);
  if (height !== undefined && scale !== undefined) {
    read.addProblem("scale/height: expected one of them, got both");
  }
  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  return {
    ok: true,
    options: {
      scale: scale ?? 2,
      height,
      crf: crf ?? 18,
      preset: preset ?? "veryfast",
      audio: audio ?? "auto",
    },
  };
}

/** The ffmpeg arguments for one job (pure, so tests can read them). */
export function ffmpegScaleArgs(
  input: string,
  output: string,
  options: FfmpegScaleOptions,
  info: Pick<VideoInfo, "hasAudio" | "audioCodec">,
): string[] {
  const size =
    options.height !== undefined
      ? `-2:${options.height}`
      : `trunc(iw*${options.scale}/2)*2:trunc(ih*${options.scale}/2)*2`;
  const copyAudio =
    options.audio === "copy" || (options.audio === "auto" && MP4_AUDIO_CODECS.has(info.audioCodec ?? ""));
  const audio = info.hasAudio ? (copyAudio ? ["-c:a", "copy"] : ["-c:a", "aac", "-b:a", "192k"]) : [];
  return [
    "-hide_banner",
    "-y",
    "-i",
    input,
    "-map",
    "0:v:0",
    "-map",
    "0:a?",
    "-vf",
    `scale=${size}:flags=lanczos`,
    "-c:v",
    "libx264",
    "-preset",
    options.preset,
    "-crf",
    String(options.crf),
    "-pix_fmt",
    "yuv420p",
    ...audio,
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    output,
  ];
}

async function run(ctx: ProcessorContext<FfmpegScaleOptions>) {
  const info = await probeInput(ctx, "ffmpeg-scale");
  await runFfmpeg(ffmpegScaleArgs(ctx.inputPath, ctx.outputPath, ctx.options, info), {
    signal: ctx.signal,
    durationSeconds: info.durationSeconds,
    onProgress: (p) => {
      if (p.fraction !== undefined) ctx.onProgress(p.fraction);
    },
  });
  return { contentType: "video/mp4" };
}

/** Probes the upload; a non-video fails the job with ffprobe's own reason. */
export async function probeInput(
  ctx: Pick<ProcessorContext<unknown>, "jobId" | "inputPath" | "signal">,
  processor: string,
): Promise<VideoInfo> {
  const info = await probe(ctx.inputPath, { signal: ctx.signal });
  if (!info.width || !info.height) {
    throw new ProcessorError("NO_VIDEO_STREAM", "input has no video stream", { processor, jobId: ctx.jobId });
  }
  return info;
}

/** The default processor: CPU upscale with ffmpeg (lanczos, H.264 in MP4, audio kept). */
export const ffmpegScale: Processor<FfmpegScaleOptions> = {
  name: "ffmpeg-scale",
  description: "CPU upscale with ffmpeg: ×2/×3/×4 or to a target height, lanczos, H.264, audio kept",
  unavailableReason: () => null,
  normalize: normalizeFfmpegScale,
  run,
};
