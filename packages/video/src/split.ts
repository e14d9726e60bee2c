import { mkdir } from "node:fs/promises";
import path from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { ProbeError } from "./errors.js";
import { checkTimes, readFrameTimes } from "./frames.js";
import { probe, type VideoInfo } from "./probe.js";
import type { FfmpegProgress } from "./progress.js";
import { runFfmpeg } from "./run.js";
import { abortSignal, checkArgs, filePath, progressListener, X264_PRESETS } from "./schema.js";
import type { VideoSegment } from "./segment.js";
import { splitCopy } from "./split-copy.js";
import { type FrameRange, planSegments } from "./split-plan.js";
import { untrustedInputArgs } from "./untrusted.js";

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
     * Segments encoded at once (each ffmpeg also uses several threads).
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
type Options = z.output<typeof splitVideoOptionsSchema>;

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
  const info = await probe(input, { signal: opts.signal });
  const outputDir = path.resolve(opts.outputDir);
  await mkdir(outputDir, { recursive: true });
  if (opts.mode === "copy") return splitCopy(input, info, outputDir, opts);
  return splitExact(input, info, outputDir, opts);
}

async function splitExact(
  input: string,
  info: VideoInfo,
  outputDir: string,
  opts: Options,
): Promise<VideoSegment[]> {
  const times = await readFrameTimes(input, opts.signal);
  if (times.length === 0) throw new ProbeError(input, "the video stream has no frames");
  const plan = planSegments(times, opts.segmentSeconds, opts.overlapFrames, info.fps);
  const total = plan.reduce((sum, r) => sum + r.fileEnd - r.fileStart, 0);
  const done = new Array<number>(plan.length).fill(0);
  const report = (index: number, frames: number, finished: boolean) => {
    done[index] = frames;
    const sum = done.reduce((a, b) => a + b, 0);
    const allDone = finished && sum >= total;
    opts.onProgress?.(
      Object.freeze({
        outTimeSeconds: sum / info.fps,
        frame: sum,
        fps: 0,
        speed: 0,
        fraction: allDone ? 1 : Math.min(1, sum / total),
        done: allDone,
      }) satisfies FfmpegProgress,
    );
  };

  const segments = plan.map((range) => toSegment(range, times, info, outputDir, opts.prefix));
  await pool(plan.length, opts.concurrency, opts.signal, async (i, signal) => {
    const range = plan[i] as FrameRange;
    const segment = segments[i] as VideoSegment;
    await runFfmpeg(encodeArgs(input, range, times, info, segment.path, opts.preset), {
      signal,
      onProgress: (p) => report(i, Math.min(p.frame, range.fileEnd - range.fileStart), false),
    });
    const written = await readFrameTimes(segment.path, signal);
    checkTimes(segment.path, i, written, times.slice(range.fileStart, range.fileEnd), 1 / info.fps);
    report(i, range.fileEnd - range.fileStart, true);
  });
  return segments;
}

/** Seeks just before the first wanted frame, then keeps exactly the range's frames. */
function encodeArgs(
  input: string,
  range: FrameRange,
  times: readonly number[],
  info: VideoInfo,
  output: string,
  preset: string,
): string[] {
  const args = ["-y"];
  if (range.fileStart > 0) {
    // ffmpeg decodes from the keyframe before and drops every frame shown before the seek point:
    // halfway between the previous frame and the first wanted one is safe from rounding.
    const at = ((times[range.fileStart - 1] ?? 0) + (times[range.fileStart] ?? 0)) / 2;
    // -ss counts from the container's start time.
    args.push("-ss", (at - info.startSeconds).toFixed(6));
  }
  args.push(...untrustedInputArgs(input), "-map", "0:v:0", "-an", "-sn", "-dn");
  args.push("-vf", "setpts=PTS-STARTPTS", "-fps_mode", "passthrough");
  args.push("-frames:v", String(range.fileEnd - range.fileStart));
  args.push("-c:v", "libx264", "-preset", preset, "-qp", "0");
  if (info.pixelFormat !== null) args.push("-pix_fmt", info.pixelFormat);
  args.push("-movflags", "+faststart", "-f", "mp4", output);
  return args;
}

function toSegment(
  range: FrameRange,
  times: readonly number[],
  info: VideoInfo,
  outputDir: string,
  prefix: string,
): VideoSegment {
  const t0 = times[0] ?? 0;
  const start = (times[range.start] ?? 0) - t0;
  const end =
    range.end < times.length ? (times[range.end] ?? 0) - t0 : (times.at(-1) ?? 0) - t0 + 1 / info.fps;
  return {
    index: range.index,
    path: path.join(outputDir, `${prefix}${String(range.index).padStart(5, "0")}.mp4`),
    startSeconds: start,
    durationSeconds: end - start,
    startFrame: range.start,
    frames: range.end - range.start,
    contextBefore: range.start - range.fileStart,
    contextAfter: range.fileEnd - range.end,
    fpsFraction: info.fpsFraction,
  };
}

/**
 * Runs `task(0..count-1)` with at most `limit` at once. The first failure stops the rest (their
 * ffmpeg is killed) and is rethrown once every task has settled, so no child outlives the call.
 */
async function pool(
  count: number,
  limit: number,
  outer: AbortSignal | undefined,
  task: (index: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && failure === undefined && !signal.aborted) {
      const index = next++;
      try {
        await task(index, signal);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure !== undefined) throw failure.error;
  outer?.throwIfAborted();
}
