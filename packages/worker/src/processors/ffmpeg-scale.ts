import { expectedGot } from "@ecs-fanout/protocol";
import { probe, runFfmpeg, type VideoInfo, X264_PRESETS } from "@ecs-fanout/video";
import { z } from "zod";
import { ProcessorError } from "../errors.js";
import { checkContainer, UNTRUSTED_INPUT_ARGS } from "../media/container.js";
import { checkMediaLimits } from "../media/limits.js";
import type { Processor, ProcessorContext } from "./types.js";

/** libx264 presets, fastest first: what `preset` accepts (the video package's list). */
export { X264_PRESETS };

const TEMPORAL_NAMES = ["tmix", "hqdn3d"] as const;
/** What `temporal` accepts. */
export type TemporalFilter = (typeof TEMPORAL_NAMES)[number];

/**
 * The temporal filters `temporal` names, each a fixed filter string (no user text reaches
 * ffmpeg's filter parser). "tmix" averages each frame with the 4 before it (a causal window: 4
 * context frames before a segment make its frames exactly those of one pass); "hqdn3d" is a
 * recursive temporal denoiser (each frame depends on every frame before it, fading).
 */
export const TEMPORAL_FILTERS: Readonly<Record<TemporalFilter, string>> = {
  tmix: "tmix=frames=5",
  hqdn3d: "hqdn3d=luma_spatial=0:chroma_spatial=0:luma_tmp=6:chroma_tmp=6",
};

const DENOISE_NAMES = ["nlmeans"] as const;
/** What `denoise` accepts. */
export type DenoiseFilter = (typeof DENOISE_NAMES)[number];

/**
 * The spatial restoration filters `denoise` names, each a fixed filter string. "nlmeans" is
 * ffmpeg's non-local means denoiser at its default strength and window (s=1, 7×7 patches, a
 * 15×15 search), run on the upscaled frames: it smooths noise and the scale's ringing. Each frame
 * is filtered on its own (no memory across frames), so it adds no seam; it is slow (about 0.4 CPU
 * seconds per 960×540 frame on one core), the CPU cost of a real restoration model.
 */
export const DENOISE_FILTERS: Readonly<Record<DenoiseFilter, string>> = {
  nlmeans: "nlmeans=s=1:p=7:r=15",
};

/** The params of the default processor, ffmpeg-scale; strict, defaults applied once here. */
export const ffmpegScaleParams = z
  .strictObject({
    /** Scale factor; not with `height`. @default 2 */
    scale: z.union([z.literal(2), z.literal(3), z.literal(4)]).optional(),
    /** Target height in pixels (even); width follows the aspect ratio, rounded to even. */
    height: z.number().int().min(16).max(8640).optional(),
    /** libx264 CRF. @default 18 */
    crf: z.number().int().min(0).max(51).default(18),
    /** libx264 preset. @default "veryfast" */
    preset: z.enum(X264_PRESETS).default("veryfast"),
    /** "auto" copies MP4-friendly audio and re-encodes anything else to AAC. @default "auto" */
    audio: z.enum(["auto", "copy", "aac"]).default("auto"),
    /**
     * A spatial denoise of the upscaled frames, after the scale and before `temporal`: see
     * {@link DENOISE_FILTERS}. None when unset.
     */
    denoise: z.enum(DENOISE_NAMES).optional(),
    /**
     * A temporal filter after the scale, so each output frame depends on its neighbours (a CPU
     * stand-in for a temporal model): see {@link TEMPORAL_FILTERS}. None when unset.
     */
    temporal: z.enum(TEMPORAL_NAMES).optional(),
    /**
     * Encode losslessly (x264 `-qp 0`, the scaled frames' own pixel format) instead of with
     * `crf`: for a fanned-out run, whose join then makes the run's only lossy encode.
     * @default false
     */
    lossless: z.boolean().default(false),
  })
  .superRefine((p, ctx) => {
    if (p.height !== undefined && p.height % 2 !== 0) {
      ctx.addIssue({ code: "custom", path: ["height"], message: expectedGot("an even number", p.height) });
    }
    if (p.height !== undefined && p.scale !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["height"],
        message: expectedGot("either scale or height", "both"),
      });
    }
  })
  .transform((p) => ({ ...p, scale: p.scale ?? 2 }));

/** Options of ffmpeg-scale after defaults are applied. */
export type FfmpegScaleOptions = z.output<typeof ffmpegScaleParams>;

/** Audio codecs an MP4 container takes as they are. */
export const MP4_AUDIO_CODECS: ReadonlySet<string> = new Set(["aac", "mp3", "ac3", "eac3", "alac"]);

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
  const filters = [`scale=${size}:flags=lanczos`];
  if (options.denoise !== undefined) filters.push(DENOISE_FILTERS[options.denoise]);
  if (options.temporal !== undefined) filters.push(TEMPORAL_FILTERS[options.temporal]);
  // Lossless keeps the scaled frames' pixel format: a conversion to 4:2:0 would be a loss of its own.
  const quality = options.lossless ? ["-qp", "0"] : ["-crf", String(options.crf), "-pix_fmt", "yuv420p"];
  return [
    "-hide_banner",
    "-y",
    ...UNTRUSTED_INPUT_ARGS,
    "-i",
    input,
    "-map",
    "0:v:0",
    "-map",
    "0:a?",
    "-vf",
    filters.join(","),
    "-c:v",
    "libx264",
    "-preset",
    options.preset,
    ...quality,
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

/**
 * Checks the upload before any tool reads it: an MP4/MOV or Matroska/WebM container (never a
 * playlist), then probed, then within the per-job caps. A non-video fails the job with
 * ffprobe's own reason.
 */
export async function probeInput(
  ctx: Pick<ProcessorContext<unknown>, "jobId" | "inputPath" | "signal" | "config">,
  processor: string,
): Promise<VideoInfo> {
  const context = { processor, jobId: ctx.jobId };
  await checkContainer(ctx.inputPath, context);
  const info = await probe(ctx.inputPath, { signal: ctx.signal }).catch((error: unknown) => {
    // A probe that refuses the container itself (a playlist, another demuxer) says the media
    // is unsupported, not unreadable.
    if ((error as Error).name === "MediaRefusedError") {
      throw new ProcessorError("UNSUPPORTED_MEDIA", (error as Error).message, { ...context, cause: error });
    }
    throw error;
  });
  if (!info.width || !info.height) {
    throw new ProcessorError("NO_VIDEO_STREAM", "input has no video stream", context);
  }
  checkMediaLimits(info, ctx.config, context);
  return info;
}

/** The default processor: CPU upscale with ffmpeg (lanczos, optional denoise and temporal filter, H.264 in MP4, audio kept). */
export const ffmpegScale: Processor<FfmpegScaleOptions> = {
  name: "ffmpeg-scale",
  description: "CPU upscale with ffmpeg: ×2/×3/×4 or to a target height, lanczos, H.264, audio kept",
  unavailableReason: () => null,
  params: ffmpegScaleParams,
  run,
};
