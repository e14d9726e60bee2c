import { randomUUID } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { probe } from "./probe.js";
import type { FfmpegProgress } from "./progress.js";
import { runFfmpeg } from "./run.js";
import { Problems, X264_PRESETS, type X264Preset } from "./validate.js";

/** One segment file written by {@link splitVideo}. */
export interface VideoSegment {
  /** 0-based position in the video. */
  index: number;
  /** Absolute path of the segment file. */
  path: string;
  /** Where the segment starts in the source, in seconds. */
  startSeconds: number;
  /** Length of the segment, in seconds. */
  durationSeconds: number;
}

/** Options of {@link splitVideo}. */
export interface SplitVideoOptions {
  /** Created when missing. */
  outputDir: string;
  /** Length of every segment but the last, in seconds. */
  segmentSeconds: number;
  /**
   * "exact": re-encode once (H.264) with keyframes forced at every boundary, so every segment is
   * exactly `segmentSeconds` long (to the frame). "copy": stream copy, cutting at the first
   * keyframe at or after each boundary — fast and lossless, but segments vary with the GOP.
   * @default "exact"
   */
  mode?: "exact" | "copy";
  /** x264 quality for "exact" (0–51, lower is better). @default 18 */
  crf?: number;
  /** x264 preset for "exact". @default "veryfast" */
  preset?: X264Preset;
  /** File name prefix; files are `<prefix>00000.mp4`, `<prefix>00001.mp4`, … @default "segment-" */
  prefix?: string;
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called with ffmpeg's progress reports (about twice a second), `fraction` included. */
  onProgress?: (progress: FfmpegProgress) => void;
}

interface NormalizedSplitOptions {
  outputDir: string;
  segmentSeconds: number;
  mode: "exact" | "copy";
  crf: number;
  preset: X264Preset;
  prefix: string;
}

export function normalizeSplitOptions(options: SplitVideoOptions): NormalizedSplitOptions {
  const normalized = {
    outputDir: options.outputDir,
    segmentSeconds: options.segmentSeconds,
    mode: options.mode ?? "exact",
    crf: options.crf ?? 18,
    preset: options.preset ?? "veryfast",
    prefix: options.prefix ?? "segment-",
  };
  const problems = new Problems("splitVideo");
  problems.nonEmptyString("outputDir", normalized.outputDir);
  problems.positiveNumber("segmentSeconds", normalized.segmentSeconds);
  problems.oneOf("mode", normalized.mode, ["exact", "copy"]);
  if (!Number.isInteger(normalized.crf) || normalized.crf < 0 || normalized.crf > 51) {
    problems.add("crf", "an integer from 0 to 51", normalized.crf);
  }
  problems.oneOf("preset", normalized.preset, X264_PRESETS);
  if (typeof normalized.prefix !== "string" || /[/\\]/.test(normalized.prefix)) {
    problems.add("prefix", "a file name prefix without path separators", normalized.prefix);
  }
  problems.throwIfAny();
  return normalized;
}

/**
 * Splits the first video stream of `input` into segments of `segmentSeconds`. Segments carry no
 * audio: audio is extracted once (extractAudio) and muxed back after processing (muxAudio).
 *
 * @throws {@link VideoOptionsError} listing every invalid option; {@link ProbeError} when `input`
 * is not a readable video; {@link FfmpegError} when ffmpeg fails.
 */
export async function splitVideo(input: string, options: SplitVideoOptions): Promise<VideoSegment[]> {
  const opts = normalizeSplitOptions(options);
  const { signal, onProgress } = options;
  const info = await probe(input, { signal });
  const outputDir = path.resolve(opts.outputDir);
  await mkdir(outputDir, { recursive: true });
  const listFile = path.join(outputDir, `.${opts.prefix}list-${randomUUID()}.csv`);
  // The segment muxer reads the output name as a printf pattern: a literal % must be doubled.
  const pattern = path.join(outputDir.replaceAll("%", "%%"), `${opts.prefix.replaceAll("%", "%%")}%05d.mp4`);

  const codec =
    opts.mode === "exact"
      ? [
          ...["-c:v", "libx264", "-preset", opts.preset, "-crf", String(opts.crf), "-pix_fmt", "yuv420p"],
          "-force_key_frames",
          `expr:gte(t,n_forced*${opts.segmentSeconds})`,
          // Forced keyframes land on the first frame at/after each boundary; half a frame of slack
          // keeps float rounding from pushing the muxer's cut to the next keyframe.
          "-segment_time_delta",
          String(1 / (2 * info.fps)),
        ]
      : ["-c:v", "copy"];
  const args = [
    ...["-y", "-i", path.resolve(input), "-map", "0:v:0", "-an", "-sn", "-dn"],
    ...codec,
    ...["-f", "segment", "-segment_time", String(opts.segmentSeconds), "-reset_timestamps", "1"],
    // B-frames start the stream at a negative DTS; left to the segment muxer that shifts every
    // time (and the list) by the delay. Disabled here, each mp4 segment handles it with an edit list.
    ...["-avoid_negative_ts", "disabled"],
    ...["-segment_format", "mp4", "-segment_list", listFile, "-segment_list_type", "csv"],
    pattern,
  ];
  try {
    await runFfmpeg(args, { signal, onProgress, durationSeconds: info.durationSeconds });
    return parseSegmentList(await readFile(listFile, "utf8"), outputDir);
  } finally {
    await rm(listFile, { force: true });
  }
}

/** Parses the segment muxer's CSV list: `name,start,end` per line (name quoted when needed). */
export function parseSegmentList(csv: string, dir: string): VideoSegment[] {
  const segments: VideoSegment[] = [];
  for (const line of csv.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const endComma = line.lastIndexOf(",");
    const startComma = line.lastIndexOf(",", endComma - 1);
    let name = line.slice(0, startComma);
    if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replaceAll('""', '"');
    const start = Number(line.slice(startComma + 1, endComma));
    const end = Number(line.slice(endComma + 1));
    segments.push({
      index: segments.length,
      path: path.resolve(dir, path.basename(name)),
      startSeconds: start,
      durationSeconds: end - start,
    });
  }
  return segments;
}
