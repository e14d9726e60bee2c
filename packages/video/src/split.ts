import { mkdir } from "node:fs/promises";
import path from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { inspectVideo } from "./inspect.js";
import { probe } from "./probe.js";
import { abortSignal, checkArgs, filePath, progressListener, X264_PRESETS } from "./schema.js";
import type { VideoSegment } from "./segment.js";
import { splitCopy } from "./split-copy.js";
import { splitExact } from "./split-exact.js";

export type { VideoSegment };

/** Options of {@link splitVideo}. */
export const splitVideoOptionsSchema = z
  .strictObject({
    /** Created when missing. */
    outputDir: filePath,
    /** Length of every segment but the last, in seconds; cuts land on the nearest frame. */
    segmentSeconds: z.number().positive(),
    /**
     * "exact": every segment is cut at its exact frame and encoded losslessly (H.264, `-qp 0`,
     * the source's pixel format, in MP4), so the processor's encode stays the only lossy one.
     * One ffmpeg decodes the source once for up to 8 consecutive segments and writes them all.
     * "copy": stream copy, cutting at the first keyframe at or after each boundary — no encode
     * at all, but segment lengths follow the source's keyframes.
     * @default "exact"
     */
    mode: z.enum(["exact", "copy"]).default("exact"),
    /**
     * Context frames added on each side of every "exact" segment (fewer at the video's ends), so
     * temporal processors see each segment's neighbours. The join drops or crossfades them.
     * @default 0
     */
    overlapFrames: z.number().int().min(0).max(1000).default(0),
    /**
     * x264 preset of the lossless encode: it changes speed and size, never the pixels.
     * @default "ultrafast"
     */
    preset: z.enum(X264_PRESETS).default("ultrafast"),
    /**
     * ffmpeg runs at once in "exact" mode, each writing up to 8 consecutive segments from one
     * decode (and each using several threads), and segment checks at once.
     * @default 2
     */
    concurrency: z.number().int().min(1).max(64).default(2),
    /**
     * File name prefix; files are `<prefix>00000.mp4`, `<prefix>00001.mp4`, …
     * @default "segment-"
     */
    prefix: z
      .string()
      .regex(/^[^/\\]*$/)
      .describe("a file name prefix without path separators")
      .default("segment-"),
    /** Aborting kills ffmpeg and rejects with `signal.reason`. */
    signal: abortSignal.optional(),
    /** Called with progress reports, `fraction` covering the whole split. */
    onProgress: progressListener.optional(),
  })
  .superRefine((options, ctx) => {
    if (options.mode === "copy" && options.overlapFrames > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["overlapFrames"],
        message: expectedGot('0 with mode "copy" (context frames need an exact cut)', options.overlapFrames),
      });
    }
  });
/** Options of {@link splitVideo}. */
export type SplitVideoOptions = z.input<typeof splitVideoOptionsSchema>;

/**
 * Splits the first video stream of `input` into segments of `segmentSeconds`. Segments carry no
 * audio: it stays in the source and is muxed back after processing (muxAudio). Each "exact"
 * segment is checked after it is written: exactly its frames, at the source's times.
 *
 * @throws {@link VideoOptionsError} listing every invalid option; {@link ProbeError} when `input`
 * is not a readable video (a {@link MediaRefusedError} for a playlist); {@link FrameMismatchError}
 * when a segment came out with other frames; {@link FfmpegError} when ffmpeg fails.
 */
export async function splitVideo(input: string, options: SplitVideoOptions): Promise<VideoSegment[]> {
  const [, opts] = checkArgs("splitVideo", [
    { name: "input", schema: filePath, value: input },
    { name: "", schema: splitVideoOptionsSchema, value: options },
  ] as const);
  const outputDir = path.resolve(opts.outputDir);
  if (opts.mode === "copy") {
    const info = await probe(input, { signal: opts.signal });
    await mkdir(outputDir, { recursive: true });
    return splitCopy(input, info, outputDir, opts);
  }
  // One ffprobe reads both the facts and every frame's time.
  const { info, times } = await inspectVideo(input, opts.signal);
  await mkdir(outputDir, { recursive: true });
  return splitExact(input, info, times, outputDir, opts);
}
