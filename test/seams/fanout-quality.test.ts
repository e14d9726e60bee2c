/**
 * A fanned-out temporal upscale looks like one pass: a 4 s clip cut into 8 segments, run on 4
 * tasks of the local ECS endpoint (real SDK, real workers, real ffmpeg) with ffmpeg-scale's
 * temporal filter (×2 lanczos + tmix over 5 frames, lossless per segment), joined with one final
 * x264 encode, compared frame by frame with the same processor run in one pass.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker } from "../../bench/lib/bundle-worker.js";
import { type FannedOut, fanOut, median, type SeamsBaseline, seamsBaseline } from "../../bench/lib/seams.js";
import { type Stack, startStack } from "../../bench/lib/stack.js";

const CLIP = {
  seconds: 4,
  width: 320,
  height: 180,
  fps: 25,
  temporal: "tmix",
  segments: 8,
  tasks: 4,
} as const;

let dir: string;
let stack: Stack;
let base: SeamsBaseline;
const signal = AbortSignal.timeout(240_000);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fanout-seams-"));
  stack = await startStack({ workerBundle: await bundleWorker(dir) });
  base = await seamsBaseline(CLIP, dir, signal);
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (overlapFrames: number, label: string) =>
  fanOut(base, stack, { overlapFrames, join: "trim", dir: path.join(dir, label), signal });

const summary = (f: FannedOut) =>
  `overlap ${f.overlapFrames}: median ${median(f.psnr).toFixed(2)} dB vs the lossless one pass (one pass ${median(base.onePassPsnr).toFixed(2)} dB); ` +
  `against the one pass: worst boundary ${Math.min(...f.boundaryVsOnePass).toFixed(2)} dB, median interior ${median(f.interiorVsOnePass).toFixed(2)} dB`;

describe("a fanned-out temporal upscale on 4 local tasks", () => {
  it("with 4 frames of overlap: the median PSNR of one pass, no boundary frame worse, every frame at its time", async () => {
    const fanned = await run(4, "overlap");
    console.log(summary(fanned));
    expect(fanned.segments).toHaveLength(8);
    expect(fanned.tasks).toBe(4);
    expect(fanned.frames).toBe(100);
    expect(fanned.timesMatch).toBe(true);
    expect(fanned.psnr).toHaveLength(100);
    // Against the lossless one pass: the same median as one pass with the same final encode.
    expect(Math.abs(median(fanned.psnr) - median(base.onePassPsnr))).toBeLessThanOrEqual(0.3);
    // Against that one pass: no boundary frame worse than the interior (identical frames are Infinity).
    expect(Math.min(...fanned.boundaryVsOnePass)).toBeGreaterThanOrEqual(
      median(fanned.interiorVsOnePass) - 1,
    );
    // Stronger than the medians: every frame is as good as the one pass's same frame.
    for (const [n, db] of fanned.psnr.entries())
      expect(db, `frame ${n}`).toBeGreaterThanOrEqual((base.onePassPsnr[n] ?? 0) - 0.3);
  }, 120_000);

  it("without overlap the boundary frames are measurably worse (so the check above can fail)", async () => {
    const fanned = await run(0, "no-overlap");
    console.log(summary(fanned));
    expect(fanned.frames).toBe(100);
    expect(fanned.timesMatch).toBe(true);
    expect(Math.min(...fanned.boundaryVsOnePass)).toBeLessThan(median(fanned.interiorVsOnePass) - 1);
    expect(Math.min(...fanned.boundaryPsnr)).toBeLessThan(median(fanned.interiorPsnr) - 1);
  }, 120_000);
});
