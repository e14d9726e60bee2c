import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type SegmentField, SegmentMismatchError, VideoOptionsError } from "./errors.js";
import { probe, type VideoInfo } from "./probe.js";
import type { FfmpegProgress } from "./progress.js";
import { runFfmpeg } from "./run.js";

/** Options of {@link concatSegments}. */
export interface ConcatSegmentsOptions {
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called with ffmpeg's progress reports (about twice a second), `fraction` included. */
  onProgress?: (progress: FfmpegProgress) => void;
}

/**
 * Joins segments with the concat demuxer and stream copy (no re-encode). Every input is probed
 * first: segments that differ in codec, size, frame rate, pixel format or audio layout would give a
 * broken file, so they throw SegmentMismatchError instead.
 *
 * @throws {@link VideoOptionsError} for an empty list or a path with a line break;
 * {@link SegmentMismatchError} naming the first segment that differs; {@link ProbeError};
 * {@link FfmpegError}.
 */
export async function concatSegments(
  paths: string[],
  output: string,
  options: ConcatSegmentsOptions = {},
): Promise<void> {
  const { signal } = options;
  validatePaths(paths);
  const infos: VideoInfo[] = [];
  for (const file of paths) infos.push(await probe(file, { signal }));
  checkSegmentsMatch(paths, infos);

  const dir = await mkdtemp(path.join(tmpdir(), "ecs-fanout-concat-"));
  try {
    const listFile = path.join(dir, "list.txt");
    await writeFile(listFile, concatList(paths), "utf8");
    const totalSeconds = infos.reduce((sum, info) => sum + info.durationSeconds, 0);
    const args = ["-y", "-f", "concat", "-safe", "0", "-i", listFile, "-map", "0", "-c", "copy"];
    if (/\.(mp4|m4v|mov)$/i.test(output)) args.push("-movflags", "+faststart");
    args.push(path.resolve(output));
    await runFfmpeg(args, { signal, onProgress: options.onProgress, durationSeconds: totalSeconds });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function validatePaths(paths: unknown): void {
  const problems: string[] = [];
  if (!Array.isArray(paths) || paths.length === 0) {
    problems.push(`paths: expected a non-empty array of file paths, got ${JSON.stringify(paths)}`);
  } else {
    paths.forEach((p, i) => {
      // The concat list is line-based: a line break in a name cannot be written into it.
      if (typeof p !== "string" || p === "" || /[\r\n]/.test(p)) {
        problems.push(`paths[${i}]: expected a file path without line breaks, got ${JSON.stringify(p)}`);
      }
    });
  }
  if (problems.length > 0) throw new VideoOptionsError("concatSegments", problems);
}

/** Throws SegmentMismatchError for the first segment that differs from the first one. */
export function checkSegmentsMatch(paths: readonly string[], infos: readonly VideoInfo[]): void {
  const ref = infos[0];
  const refPath = paths[0];
  if (ref === undefined || refPath === undefined) return;
  const fields: Array<[SegmentField, (i: VideoInfo) => string]> = [
    ["videoCodec", (i) => i.videoCodec],
    ["size", (i) => `${i.width}x${i.height}`],
    ["fps", (i) => i.fpsFraction],
    ["pixelFormat", (i) => i.pixelFormat ?? "unknown"],
    ["audio", (i) => i.audioCodec ?? "none"],
  ];
  infos.forEach((info, index) => {
    for (const [field, read] of fields) {
      const expected = read(ref);
      const actual = read(info);
      if (expected !== actual) {
        throw new SegmentMismatchError({
          index,
          path: paths[index] ?? "",
          referencePath: refPath,
          field,
          expected,
          actual,
        });
      }
    }
  });
}

/**
 * The concat demuxer's list file. Paths are absolute and prefixed with `file:` (so a name such as
 * "http:x" is never taken for a protocol), and single-quoted with `'` written as `'\''`.
 */
export function concatList(paths: readonly string[]): string {
  return paths.map((p) => `file '${`file:${path.resolve(p)}`.replaceAll("'", "'\\''")}'\n`).join("");
}
