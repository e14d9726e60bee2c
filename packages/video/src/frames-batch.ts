import { ProbeError } from "./errors.js";
import { findFfmpeg } from "./find.js";
import { readFrameTimes } from "./frames.js";
import { runProcess } from "./process.js";
import { refuseUnsafeMedia, untrustedInputArgs } from "./untrusted.js";

/**
 * {@link readFrameTimes} for many files in one process: ffmpeg opens them all, stream-copies the
 * first video stream of each into the framecrc muxer (demuxing only, no decoding) and prints
 * every packet's stream and presentation time. With `-copyts` those are the times the demuxer
 * reads, as ffprobe prints them. Most of an ffprobe run is its start-up, so one process for
 * eight files costs about what two ffprobe runs cost.
 *
 * When ffmpeg fails, each file is read on its own by readFrameTimes, so an error names its file.
 *
 * @throws {@link ProbeError} (or {@link MediaRefusedError}) for the first file that cannot be read.
 */
export async function readFrameTimesOf(files: readonly string[], signal?: AbortSignal): Promise<number[][]> {
  for (const file of files) await refuseUnsafeMedia(file);
  const { ffmpeg } = await findFfmpeg();
  const args = ["-hide_banner", "-nostdin", "-v", "error"];
  for (const file of files) args.push(...untrustedInputArgs(file));
  for (let i = 0; i < files.length; i++) args.push("-map", `${i}:v:0`);
  // -copyinkf keeps packets before the first keyframe, which stream copy drops by default.
  args.push("-c", "copy", "-copyinkf", "-copyts", "-f", "framecrc", "-");
  const result = await runProcess(ffmpeg, args, { signal });
  if (result.exitCode !== 0 || result.spawnError) {
    // Read one by one: the first file that cannot be read throws its own ProbeError.
    const each: number[][] = [];
    for (const file of files) each.push(await readFrameTimes(file, signal));
    return each;
  }
  return parseFramecrc(result.stdout, files.length, files[0] ?? "");
}

const NO_PTS = "-9223372036854775808";

/**
 * Presentation times per stream from framecrc output: `#tb <stream>: <num>/<den>` headers, then
 * one `stream, dts, pts, duration, size, checksum` line per packet. Sorted into display order.
 */
export function parseFramecrc(text: string, streams: number, file: string): number[][] {
  const timeBases = new Array<number>(streams).fill(Number.NaN);
  const ticks: number[][] = Array.from({ length: streams }, () => []);
  for (const line of text.split(/\r?\n/)) {
    const tb = /^#tb (\d+): (\d+)\/(\d+)$/.exec(line.trim());
    if (tb) {
      timeBases[Number(tb[1])] = Number(tb[2]) / Number(tb[3]);
      continue;
    }
    if (line.startsWith("#") || line.trim() === "") continue;
    const [stream, , pts] = line.split(",").map((field) => field.trim());
    // A packet without a time (AV_NOPTS_VALUE), which readFrameTimes skips too.
    if (pts === NO_PTS) continue;
    const index = Number(stream);
    const value = Number(pts);
    if (!Number.isInteger(index) || index < 0 || index >= streams || !Number.isSafeInteger(value)) {
      throw new ProbeError(file, `ffmpeg printed a bad packet line: ${line.slice(0, 80)}`);
    }
    (ticks[index] as number[]).push(value);
  }
  return ticks.map((list, i) => {
    const base = timeBases[i] as number;
    if (!(base > 0)) throw new ProbeError(file, `ffmpeg printed no time base for stream ${i}`);
    return list.sort((a, b) => a - b).map((t) => t * base);
  });
}
