/**
 * A fanned-out temporal upscale against the same processor in one pass, frame by frame: the
 * measurement behind the `seams` benchmark section and the seams test. Everything is real: the
 * clip is generated with ffmpeg, the segments run on tasks of the local ECS endpoint through the
 * real SDK and real workers, and the one-pass runs use the worker processor's own argv.
 */
import path from "node:path";
import {
  compareFrames,
  generateTestVideo,
  joinSegments,
  probe,
  readFrameTimes,
  runFfmpeg,
  splitVideo,
  type VideoSegment,
  verifySegmentFrames,
} from "@ecs-fanout/video";
import { ffmpegScaleArgs, ffmpegScaleParams, type TemporalFilter } from "@ecs-fanout/worker";
import { executeParallelBatches } from "ecs-fanout";
import type { Stack } from "./stack.js";

/** The final encode of every run: what one pass and the join both use. */
export const FINAL = { crf: 18, preset: "veryfast" } as const;

export interface SeamsClip {
  seconds: number;
  width: number;
  height: number;
  fps: number;
  temporal: TemporalFilter;
  /** A spatial restoration filter before the temporal one (the processor's `denoise`). */
  denoise?: "nlmeans";
  /** Segments the clip is split into, and tasks they run on. */
  segments: number;
  tasks: number;
}

/** The source and the two one-pass runs every fanned-out run is compared with. */
export interface SeamsBaseline {
  clip: SeamsClip;
  source: string;
  /** Source frame times, seconds from the first. */
  times: number[];
  /** One pass, lossless: what a perfect run would give. */
  reference: string;
  /** One pass with the final encode. */
  onePass: string;
  /** The one pass's per-frame PSNR against the reference. */
  onePassPsnr: number[];
  onePassSeconds: number;
}

export interface FannedOut {
  overlapFrames: number;
  join: "trim" | "crossfade";
  segments: VideoSegment[];
  /** Frames of the source. */
  sourceFrames: number;
  /** Frames and times of the joined output (checked against the source's). */
  frames: number;
  timesMatch: boolean;
  /** Per-frame PSNR and SSIM against the lossless one pass. */
  psnr: number[];
  ssim: number[];
  /** Per-frame PSNR against the one pass with the same final encode (Infinity: identical). */
  vsOnePass: number[];
  /** Indices of the frames within the overlap width (at least 4) of a cut, either side. */
  boundary: number[];
  boundaryPsnr: number[];
  interiorPsnr: number[];
  /** vsOnePass at the boundary frames, and at the others. */
  boundaryVsOnePass: number[];
  interiorVsOnePass: number[];
  splitSeconds: number;
  fanoutSeconds: number;
  joinSeconds: number;
  /** Split + fan-out + join. */
  wallSeconds: number;
  tasks: number;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The processor's params: ×2 lanczos, the optional denoise, the temporal filter, and the encode. */
function params(clip: SeamsClip, lossless: boolean) {
  return {
    scale: 2 as const,
    temporal: clip.temporal,
    ...(clip.denoise ? { denoise: clip.denoise } : {}),
    ...(lossless ? { lossless: true, preset: "ultrafast" as const } : FINAL),
  };
}

/** Generates the clip, runs the processor over it in one pass twice (lossless, final encode). */
export async function seamsBaseline(
  clip: SeamsClip,
  dir: string,
  signal: AbortSignal,
): Promise<SeamsBaseline> {
  const source = path.join(dir, "source.mp4");
  const { seconds: length, width, height, fps } = clip;
  await generateTestVideo({ output: source, seconds: length, width, height, fps, audio: false, signal });
  const info = await probe(source, { signal });
  const onePass = async (name: string, lossless: boolean) => {
    const output = path.join(dir, name);
    const options = ffmpegScaleParams.parse(params(clip, lossless));
    await runFfmpeg(ffmpegScaleArgs(source, output, options, info), { signal });
    return output;
  };
  const reference = await onePass("reference.mp4", true);
  const started = performance.now();
  const single = await onePass("one-pass.mp4", false);
  const onePassSeconds = seconds(started);
  const times = relative(await readFrameTimes(source, signal));
  const { psnr } = await compareFrames(single, reference, { signal });
  return { clip, source, times, reference, onePass: single, onePassPsnr: psnr, onePassSeconds };
}

/**
 * Splits the clip (lossless, exact, with `overlapFrames` of context), runs the segments on
 * `clip.tasks` tasks of the stack with the processor encoding losslessly, joins with the final
 * encode, checks frames and times, and compares every frame with the lossless reference.
 */
export async function fanOut(
  base: SeamsBaseline,
  stack: Stack,
  options: { overlapFrames: number; join: "trim" | "crossfade"; dir: string; signal: AbortSignal },
): Promise<FannedOut> {
  const { clip } = base;
  const { dir, signal, overlapFrames } = options;
  const started = performance.now();
  const segments = await splitVideo(base.source, {
    outputDir: path.join(dir, "segments"),
    segmentSeconds: base.times.length / clip.fps / clip.segments,
    overlapFrames,
    signal,
  });
  const splitSeconds = seconds(started);
  let t = performance.now();
  const result = await executeParallelBatches({
    signal,
    cluster: stack.cluster,
    taskDefinition: stack.taskDefinition,
    network: stack.network,
    aws: stack.local.clientConfig,
    outputDir: path.join(dir, "outputs"),
    segments: segments.map((s) => ({ id: `segment-${s.index}`, input: { path: s.path } })),
    params: { processor: "ffmpeg-scale", ...params(clip, true) },
    maxParallelTasks: clip.tasks,
    segmentsPerBatch: Math.ceil(segments.length / clip.tasks),
    pollIntervalMs: 200,
  });
  const fanoutSeconds = seconds(t);
  if (result.failed > 0)
    throw new Error(`${result.failed} segments failed: ${result.failures[0]?.error?.message}`);
  const byId = new Map(result.segments.map((s) => [s.id, s.outputPath]));
  const outputs = segments.map((segment) => {
    const output = byId.get(`segment-${segment.index}`);
    if (output === undefined) throw new Error(`segment ${segment.index} has no output`);
    return { path: output, segment };
  });
  t = performance.now();
  const joined = path.join(dir, "joined.mp4");
  await joinSegments(outputs, joined, { overlap: options.join, encode: "always", ...FINAL, signal });
  const joinSeconds = seconds(t);
  const wallSeconds = seconds(started);

  const frames = base.times.length;
  await verifySegmentFrames(joined, { index: 0, frames, fps: clip.fps, signal });
  const joinedTimes = relative(await readFrameTimes(joined, signal));
  const timesMatch =
    joinedTimes.length === frames &&
    joinedTimes.every((at, k) => Math.abs(at - (base.times[k] ?? 0)) < 0.5 / clip.fps);
  const { psnr, ssim } = await compareFrames(joined, base.reference, { signal });
  const vsOnePass = (await compareFrames(joined, base.onePass, { signal })).psnr;
  const width = Math.max(4, overlapFrames);
  const near = new Set<number>();
  for (const s of segments.slice(1)) for (let k = -width; k < width; k++) near.add(s.startFrame + k);
  return {
    overlapFrames,
    join: options.join,
    segments,
    sourceFrames: frames,
    frames: joinedTimes.length,
    timesMatch,
    psnr,
    ssim,
    vsOnePass,
    boundary: [...near].filter((n) => n >= 0 && n < frames).sort((a, b) => a - b),
    boundaryPsnr: psnr.filter((_, n) => near.has(n)),
    interiorPsnr: psnr.filter((_, n) => !near.has(n)),
    boundaryVsOnePass: vsOnePass.filter((_, n) => near.has(n)),
    interiorVsOnePass: vsOnePass.filter((_, n) => !near.has(n)),
    splitSeconds,
    fanoutSeconds,
    joinSeconds,
    wallSeconds,
    tasks: new Set(result.segments.map((s) => s.taskArn)).size,
  };
}

function relative(times: readonly number[]): number[] {
  const first = times[0] ?? 0;
  return times.map((t) => t - first);
}
