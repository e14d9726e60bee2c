import { z } from "zod";
import { FrameMismatchError, ProbeError } from "./errors.js";
import { findFfmpeg } from "./find.js";
import { runProcess, summarize } from "./process.js";
import { abortSignal, checkArgs, filePath } from "./schema.js";
import { fpsOf } from "./segment.js";
import { refuseUnsafeMedia, untrustedInputArgs } from "./untrusted.js";

/**
 * Presentation times of every frame of the first video stream, in seconds, in display order.
 * Read from the packets (demuxing only, no decoding), through the same whitelists as probe.
 *
 * @throws {@link ProbeError} (or {@link MediaRefusedError}) when the file cannot be read.
 */
export async function readFrameTimes(file: string, signal?: AbortSignal): Promise<number[]> {
  await refuseUnsafeMedia(file);
  const ffprobe = (await findFfmpeg()).ffprobe;
  const args = ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time"];
  const result = await runProcess(ffprobe, [...args, "-of", "csv=p=0", ...untrustedInputArgs(file)], {
    signal,
  });
  if (result.exitCode !== 0 || result.spawnError) {
    throw new ProbeError(file, summarize("ffprobe", ffprobe, result), {
      stderrTail: result.stderrTail,
      cause: result.spawnError,
    });
  }
  return sortedTimes(
    file,
    result.stdout.split(/\r?\n/).map((line) => line.split(",")[0]?.trim() ?? ""),
  );
}

/** Packet times as ffprobe prints them, in display order; packets without a time are skipped. */
export function sortedTimes(file: string, printed: readonly (string | undefined)[]): number[] {
  const times = printed.filter((t) => t !== undefined && t !== "" && t !== "N/A").map(Number);
  if (times.some((t) => !Number.isFinite(t))) throw new ProbeError(file, "ffprobe printed a bad packet time");
  return times.sort((a, b) => a - b);
}

/** What {@link verifySegmentFrames} expects of one file. */
export const frameExpectationSchema = z.strictObject({
  /** Position of the segment in the video, for the error. */
  index: z.number().int().min(0),
  /** Frames the file must hold, context frames included. */
  frames: z.number().int().min(1),
  /** Frame rate every frame must keep, as a number or a fraction such as "30000/1001". */
  fps: z.union([z.number().positive(), z.string().regex(/^\d+(\/\d+)?$/)]).describe("a frame rate"),
  /** Aborting kills ffprobe and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
});
/** What {@link verifySegmentFrames} expects of one file. */
export type FrameExpectation = z.input<typeof frameExpectationSchema>;

/**
 * Checks that a segment, or what a processor made of it, holds exactly `frames` frames and that
 * frame k is shown at k / fps (within half a frame) from the first: no frame dropped, duplicated
 * or shifted. Run it on every output before joining.
 *
 * @throws {@link FrameMismatchError} naming the first difference; {@link ProbeError} when the
 * file cannot be read.
 */
export async function verifySegmentFrames(file: string, expected: FrameExpectation): Promise<void> {
  const [, opts] = checkArgs("verifySegmentFrames", [
    { name: "file", schema: filePath, value: file },
    { name: "", schema: frameExpectationSchema, value: expected },
  ] as const);
  const fps = typeof opts.fps === "number" ? opts.fps : fpsOf(opts.fps);
  checkFrameTimes(file, opts.index, await readFrameTimes(file, opts.signal), opts.frames, fps);
}

/**
 * The check of {@link verifySegmentFrames} on times already read: exactly `frames` frames, frame
 * k at k / fps (within half a frame) from the first.
 *
 * @throws {@link FrameMismatchError} naming the first difference.
 */
export function checkFrameTimes(
  file: string,
  index: number,
  times: readonly number[],
  frames: number,
  fps: number,
): void {
  const wanted = Array.from({ length: frames }, (_, k) => k / fps);
  checkTimes(file, index, times, wanted, 1 / fps);
}

/** Compares frame times (made relative to the first) with the wanted ones. */
export function checkTimes(
  file: string,
  index: number,
  times: readonly number[],
  wanted: readonly number[],
  frameSeconds: number,
): void {
  const fail = (detail: string) =>
    new FrameMismatchError({
      index,
      path: file,
      expectedFrames: wanted.length,
      actualFrames: times.length,
      detail,
    });
  if (times.length !== wanted.length) {
    throw fail(`expected ${wanted.length} frames, got ${times.length}`);
  }
  const first = times[0] ?? 0;
  const base = wanted[0] ?? 0;
  for (let k = 0; k < times.length; k++) {
    const at = (times[k] ?? 0) - first;
    const should = (wanted[k] ?? 0) - base;
    if (Math.abs(at - should) > frameSeconds / 2) {
      throw fail(`frame ${k} is at ${at.toFixed(3)} s, expected ${should.toFixed(3)} s`);
    }
  }
}
