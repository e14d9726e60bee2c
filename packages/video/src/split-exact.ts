import path from "node:path";
import type { z } from "zod";
import { ProbeError } from "./errors.js";
import { checkTimes } from "./frames.js";
import { readFrameTimesOf } from "./frames-batch.js";
import { pool } from "./pool.js";
import type { VideoInfo } from "./probe.js";
import type { FfmpegProgress } from "./progress.js";
import { runFfmpeg } from "./run.js";
import type { VideoSegment } from "./segment.js";
import type { splitVideoOptionsSchema } from "./split.js";
import { type FrameRange, planSegments } from "./split-plan.js";
import { untrustedInputArgs } from "./untrusted.js";

type Options = z.output<typeof splitVideoOptionsSchema>;

/**
 * Segments one ffmpeg writes in one decode. Every segment of a pass shares its decode and its
 * process start-up; the cap bounds the encoders (and their threads and buffers) one ffmpeg holds.
 */
export const SEGMENTS_PER_PASS = 8;

/** Consecutive segments written by one ffmpeg: the frames it decodes, and the segments. */
export interface Pass {
  /** First source frame decoded (the first segment's first file frame). */
  start: number;
  /** One past the last source frame decoded. */
  end: number;
  ranges: FrameRange[];
}

/** Groups the plan into passes of at most {@link SEGMENTS_PER_PASS} consecutive segments. */
export function planPasses(plan: readonly FrameRange[]): Pass[] {
  const passes: Pass[] = [];
  for (let i = 0; i < plan.length; i += SEGMENTS_PER_PASS) {
    const ranges = plan.slice(i, i + SEGMENTS_PER_PASS);
    const start = Math.min(...ranges.map((r) => r.fileStart));
    const end = Math.max(...ranges.map((r) => r.fileEnd));
    passes.push({ start, end, ranges });
  }
  return passes;
}

/**
 * "exact" mode: the source's frame times are read once, the segments are planned on them, and
 * each pass decodes its frames once and encodes every segment of it losslessly. Each segment is
 * then read back and checked: exactly its frames, at the source's times.
 */
export async function splitExact(
  input: string,
  info: VideoInfo,
  times: readonly number[],
  outputDir: string,
  opts: Options,
): Promise<VideoSegment[]> {
  if (times.length === 0) throw new ProbeError(input, "the video stream has no frames");
  const plan = planSegments(times, opts.segmentSeconds, opts.overlapFrames, info.fps);
  const segments = plan.map((range) => toSegment(range, times, info, outputDir, opts.prefix));
  const passes = planPasses(plan);
  const total = passes.reduce((sum, p) => sum + p.end - p.start, 0);
  const done = new Array<number>(passes.length).fill(0);
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

  await pool(passes.length, opts.concurrency, opts.signal, async (p, signal) => {
    const pass = passes[p] as Pass;
    const files = pass.ranges.map((r) => (segments[r.index] as VideoSegment).path);
    await runFfmpeg(passArgs(input, pass, times, info, files, opts.preset), {
      signal,
      onProgress: (progress) => report(p, Math.min(progress.frame, pass.end - pass.start), false),
    });
    // Read back what was written, never trusted from the encode: a frame lost in the cut is a
    // FrameMismatchError here, not a silent seam later.
    const written = await readFrameTimesOf(files, signal);
    pass.ranges.forEach((range, k) => {
      const wanted = times.slice(range.fileStart, range.fileEnd);
      checkTimes(files[k] as string, range.index, written[k] ?? [], wanted, 1 / info.fps);
    });
    report(p, pass.end - pass.start, true);
  });
  return segments;
}

/**
 * One ffmpeg for a pass: seeks just before its first frame, keeps exactly the pass's frames,
 * and cuts every segment out of that one decoded stream by frame number. A null output that
 * sees every frame comes first, because ffmpeg reports the frame count of its first output only:
 * that count is the pass's progress.
 */
export function passArgs(
  input: string,
  pass: Pass,
  times: readonly number[],
  info: Pick<VideoInfo, "startSeconds" | "pixelFormat">,
  files: readonly string[],
  preset: string,
): string[] {
  const args = ["-y"];
  if (pass.start > 0) {
    // ffmpeg decodes from the keyframe before and drops every frame shown before the seek point:
    // halfway between the previous frame and the first wanted one is safe from rounding.
    const at = ((times[pass.start - 1] ?? 0) + (times[pass.start] ?? 0)) / 2;
    // -ss counts from the container's start time.
    args.push("-ss", (at - info.startSeconds).toFixed(6));
  }
  args.push(...untrustedInputArgs(input));
  const pads = pass.ranges.map((_, k) => `[cut${k}]`).join("");
  const graph = [
    `[0:v:0]trim=end_frame=${pass.end - pass.start},split=${pass.ranges.length + 1}[all]${pads}`,
  ];
  pass.ranges.forEach((range, k) => {
    const from = range.fileStart - pass.start;
    const to = range.fileEnd - pass.start;
    graph.push(`[cut${k}]trim=start_frame=${from}:end_frame=${to},setpts=PTS-STARTPTS[seg${k}]`);
  });
  args.push("-filter_complex", graph.join(";"));
  args.push("-map", "[all]", "-c:v", "wrapped_avframe", "-f", "null", "-");
  pass.ranges.forEach((_, k) => {
    args.push("-map", `[seg${k}]`, "-fps_mode", "passthrough");
    args.push("-c:v", "libx264", "-preset", preset, "-qp", "0");
    if (info.pixelFormat !== null) args.push("-pix_fmt", info.pixelFormat);
    args.push("-movflags", "+faststart", "-f", "mp4", files[k] as string);
  });
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
