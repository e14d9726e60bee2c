import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { generateTestVideo, joinSegments, probe, splitVideo, type VideoSegment } from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "./helpers.js";

const run = promisify(execFile);

/** A temporal CPU processor: ×2 lanczos, then each frame mixed with the four before it. */
const PROCESS = "scale=iw*2:ih*2:flags=lanczos,tmix=frames=5";
const FINAL = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"];
const LOSSLESS = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"];

let dir: string;
let source: string;
let reference: string; // one pass, lossless: what a perfect run would give
let onePass: number[]; // per-frame PSNR of one pass with the final encode against the reference

async function processFile(input: string, output: string, encode: string[]): Promise<void> {
  await run("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    input,
    "-vf",
    PROCESS,
    "-fps_mode",
    "passthrough",
    ...encode,
    output,
  ]);
}

/** PSNR of every frame of `file` against `ref` (ffmpeg's psnr filter); identical frames are Infinity. */
async function framePsnr(file: string, ref: string): Promise<number[]> {
  const stats = path.join(dir, `${path.basename(file)}.psnr`);
  await run("ffmpeg", [
    ...["-v", "error", "-i", file, "-i", ref],
    ...["-lavfi", `[0:v][1:v]psnr=stats_file=${stats}`, "-f", "null", "-"],
  ]);
  return (await readFile(stats, "utf8"))
    .split("\n")
    .filter((line) => line.includes("psnr_avg:"))
    .map((line) => {
      const value = line.match(/psnr_avg:(\S+)/)?.[1] ?? "";
      return value === "inf" ? Number.POSITIVE_INFINITY : Number(value);
    });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Split into 8 segments, process each on its own (as 4 tasks would), join, compare. */
async function fanOut(overlapFrames: number, label: string) {
  const segments = await splitVideo(source, {
    outputDir: path.join(dir, label),
    segmentSeconds: 0.5,
    overlapFrames,
  });
  const outputs: Array<{ path: string; segment: VideoSegment }> = [];
  for (let i = 0; i < segments.length; i += 2) {
    await Promise.all(
      segments.slice(i, i + 2).map(async (segment) => {
        const output = path.join(dir, `${label}-out-${segment.index}.mp4`);
        await processFile(segment.path, output, LOSSLESS);
        outputs[segment.index] = { path: output, segment };
      }),
    );
  }
  const joined = path.join(dir, `${label}-joined.mp4`);
  await joinSegments(outputs, joined, { crf: 18, preset: "veryfast" });
  const psnr = await framePsnr(joined, reference);
  const boundaries = new Set(segments.slice(1).flatMap((s) => [0, 1, 2, 3].map((k) => s.startFrame + k)));
  return {
    segments,
    joined,
    psnr,
    boundary: psnr.filter((_, n) => boundaries.has(n)),
    interior: psnr.filter((_, n) => !boundaries.has(n)),
  };
}

beforeAll(async () => {
  dir = await tempDir("quality");
  source = path.join(dir, "source.mp4");
  await generateTestVideo({ output: source, seconds: 4, width: 320, height: 180, fps: 25, audio: false });
  reference = path.join(dir, "reference.mp4");
  await processFile(source, reference, LOSSLESS);
  const single = path.join(dir, "one-pass.mp4");
  await processFile(source, single, FINAL);
  onePass = await framePsnr(single, reference);
}, 180_000);

describe("a fanned-out temporal upscale looks like one pass", () => {
  test("with 4 frames of overlap: the same median PSNR as one pass, and no boundary frame worse", async () => {
    const fanned = await fanOut(4, "overlap");
    expect(fanned.segments).toHaveLength(8);
    expect((await probe(fanned.joined)).frames).toBe(100);
    expect(fanned.psnr).toHaveLength(100);
    const gap = median(onePass) - median(fanned.psnr);
    console.log(
      `one pass median ${median(onePass).toFixed(2)} dB; fanned out (overlap 4) median ${median(fanned.psnr).toFixed(2)} dB, ` +
        `worst boundary ${Math.min(...fanned.boundary).toFixed(2)} dB, median interior ${median(fanned.interior).toFixed(2)} dB`,
    );
    expect(Math.abs(gap)).toBeLessThanOrEqual(0.3);
    expect(Math.min(...fanned.boundary)).toBeGreaterThanOrEqual(median(fanned.interior) - 1);
  }, 300_000);

  // Without context the join stream-copies the processors' lossless outputs: interior frames equal
  // the reference exactly, and only the boundaries differ.
  test("without overlap the boundary frames are measurably worse (so the check above can fail)", async () => {
    const fanned = await fanOut(0, "no-overlap");
    expect(fanned.psnr).toHaveLength(100);
    console.log(
      `fanned out (no overlap) median ${median(fanned.psnr).toFixed(2)} dB, ` +
        `worst boundary ${Math.min(...fanned.boundary).toFixed(2)} dB, median interior ${median(fanned.interior).toFixed(2)} dB`,
    );
    expect(Math.min(...fanned.boundary)).toBeLessThan(median(fanned.interior) - 1);
  }, 300_000);
});
