/**
 * The ways to cut a source into segments, measured on one clip: splitVideo's lossless exact mode,
 * its stream copy at keyframes, and the x264 CRF 18 re-encode an exact split used to make (one
 * generation of loss before any processor runs).
 */
import { mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { compareFrames, concatSegments, probe, runFfmpeg, splitVideo } from "@ecs-fanout/video";
import { median } from "./seams.js";

export interface SplitMode {
  name: string;
  segments: number;
  /** Total bytes of the segment files. */
  bytes: number;
  sourceBytes: number;
  seconds: number;
  /** Median PSNR of the concatenated segments against the source; Infinity when lossless. */
  medianPsnr: number;
}

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((name) => name.endsWith(".mp4"))
    .sort()
    .map((name) => path.join(dir, name));
}

async function bytesOf(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

export async function measureSplitModes(
  source: string,
  segments: number,
  dir: string,
  signal: AbortSignal,
): Promise<SplitMode[]> {
  const info = await probe(source, { signal });
  const segmentSeconds = info.frames / info.fps / segments;
  const sourceBytes = (await stat(source)).size;
  const measure = async (name: string, cut: (out: string) => Promise<void>): Promise<SplitMode> => {
    const out = path.join(dir, name.replaceAll(/\W+/g, "-"));
    await mkdir(out, { recursive: true });
    const started = performance.now();
    await cut(out);
    const seconds = (performance.now() - started) / 1000;
    const files = await filesIn(out);
    const joined = path.join(dir, `${path.basename(out)}.joined.mp4`);
    await concatSegments(files, joined, { signal });
    const { psnr } = await compareFrames(joined, source, { signal });
    return {
      name,
      segments: files.length,
      bytes: await bytesOf(files),
      sourceBytes,
      seconds,
      medianPsnr: median(psnr),
    };
  };
  return [
    await measure("exact (lossless)", async (out) => {
      await splitVideo(source, { outputDir: out, segmentSeconds, signal });
    }),
    await measure("copy (keyframes)", async (out) => {
      await splitVideo(source, { outputDir: out, segmentSeconds, mode: "copy", signal });
    }),
    await measure("x264 CRF 18", async (out) => {
      await runFfmpeg(
        [
          ...["-y", "-i", source, "-map", "0:v:0", "-an"],
          ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"],
          ...["-force_key_frames", `expr:gte(t,n_forced*${segmentSeconds})`],
          ...["-segment_time_delta", String(1 / (2 * info.fps)), "-avoid_negative_ts", "disabled"],
          ...["-f", "segment", "-segment_time", String(segmentSeconds), "-reset_timestamps", "1"],
          ...["-segment_format", "mp4"],
          path.join(out, "segment-%05d.mp4"),
        ],
        { signal },
      );
    }),
  ];
}
