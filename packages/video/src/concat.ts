import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { type SegmentField, SegmentMismatchError } from "./errors.js";
import { PROBES_AT_ONCE, settleAll } from "./pool.js";
import { probe, type VideoInfo } from "./probe.js";
import { runFfmpeg } from "./run.js";
import { abortSignal, checkArgs, filePath, progressListener } from "./schema.js";
import { ALLOWED_DEMUXERS, whitelistArgs } from "./untrusted.js";

/** Options of {@link concatSegments}. */
export const concatSegmentsOptionsSchema = z.strictObject({
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
  /** Called with ffmpeg's progress reports (about twice a second), `fraction` included. */
  onProgress: progressListener.optional(),
});
/** Options of {@link concatSegments}. */
export type ConcatSegmentsOptions = z.input<typeof concatSegmentsOptionsSchema>;

/** The concat list is line-based: a line break in a name cannot be written into it. */
export const segmentPaths = z
  .array(
    z
      .string()
      .regex(/^[^\r\n]+$/)
      .describe("a file path without line breaks"),
  )
  .min(1)
  .describe("a non-empty array of file paths");

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
  const [, , { signal, onProgress }] = checkArgs("concatSegments", [
    { name: "paths", schema: segmentPaths, value: paths },
    { name: "output", schema: filePath, value: output },
    { name: "", schema: concatSegmentsOptionsSchema, value: options },
  ] as const);
  const infos = await probeAll(paths, signal);
  checkSegmentsMatch(paths, infos);
  await concatProbed(paths, infos, output, { signal, onProgress });
}

/** Probes every file, several at once; a failure is the first failing file's, in order. */
async function probeAll(paths: readonly string[], signal: AbortSignal | undefined): Promise<VideoInfo[]> {
  const settled = await settleAll(paths, PROBES_AT_ONCE, (file) => probe(file, { signal }));
  signal?.throwIfAborted();
  return settled.map((result) => {
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });
}

/**
 * The stream-copy join of {@link concatSegments} for files already probed (`infos`) and checked
 * to match: what joinSegments uses, which has read every output already.
 */
export async function concatProbed(
  paths: readonly string[],
  infos: readonly VideoInfo[],
  output: string,
  { signal, onProgress }: z.output<typeof concatSegmentsOptionsSchema>,
): Promise<void> {
  // The list file is line-based: checked here too, for callers that did not come through concatSegments.
  checkArgs("concatSegments", [{ name: "paths", schema: segmentPaths, value: paths }] as const);
  const dir = await mkdtemp(path.join(tmpdir(), "ecs-fanout-concat-"));
  try {
    const listFile = path.join(dir, "list.txt");
    await writeFile(listFile, concatList(paths), "utf8");
    const totalSeconds = infos.reduce((sum, info) => sum + info.durationSeconds, 0);
    // The list is ours, but the files it names are not: each was probed above (which refuses
    // playlists), and the demuxer passes its whitelists on to every file it opens.
    const args = ["-y", ...whitelistArgs(["concat", ...ALLOWED_DEMUXERS]), "-f", "concat", "-safe", "0"];
    args.push("-i", `file:${listFile}`, "-map", "0", "-c", "copy");
    if (/\.(mp4|m4v|mov)$/i.test(output)) args.push("-movflags", "+faststart");
    args.push(path.resolve(output));
    await runFfmpeg(args, { signal, onProgress, durationSeconds: totalSeconds });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
