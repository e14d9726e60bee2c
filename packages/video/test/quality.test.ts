import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  compareFrames,
  generateTestVideo,
  joinSegments,
  MediaRefusedError,
  probe,
  splitVideo,
  VideoOptionsError,
  type VideoSegment,
} from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { frameHashes, tempDir } from "./helpers.js";

let dir: string;
let source: string;

beforeAll(async () => {
  dir = await tempDir("quality");
  source = path.join(dir, "source.mp4");
  await generateTestVideo({ output: source, seconds: 2, width: 160, height: 90, fps: 25, audio: false });
});

describe("compareFrames", () => {
  test("a video against itself: every frame identical (PSNR Infinity, SSIM 1)", async () => {
    const { psnr, ssim } = await compareFrames(source, source);
    expect(psnr).toHaveLength(50);
    expect(psnr.every((db) => db === Number.POSITIVE_INFINITY)).toBe(true);
    expect(ssim.every((s) => s === 1)).toBe(true);
  });

  test("a coarse re-encode: a finite, plausible PSNR and SSIM for every frame", async () => {
    const coarse = path.join(dir, "coarse.mp4");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-i", source, "-c:v", "libx264", "-crf", "40", coarse]);
    const { psnr, ssim } = await compareFrames(coarse, source);
    expect(psnr).toHaveLength(50);
    expect(ssim).toHaveLength(50);
    for (const db of psnr) expect(db).toBeGreaterThan(15);
    for (const db of psnr) expect(db).toBeLessThan(45);
    for (const s of ssim) expect(s).toBeLessThan(1);
  });

  test("refuses a playlist posing as a video, and an options object it does not know", async () => {
    const playlist = path.join(dir, "playlist.mp4");
    await writeFile(playlist, "#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n");
    await expect(compareFrames(playlist, source)).rejects.toBeInstanceOf(MediaRefusedError);
    await expect(compareFrames(source, source, { signl: 1 } as never)).rejects.toBeInstanceOf(
      VideoOptionsError,
    );
  });
});

describe('joinSegments with encode: "always"', () => {
  let segments: VideoSegment[];
  beforeAll(async () => {
    segments = await splitVideo(source, { outputDir: path.join(dir, "segments"), segmentSeconds: 0.5 });
  });

  test("re-encodes lossless segments without context once (x264 High, not lossless High 4:4:4), every frame kept", async () => {
    const copied = path.join(dir, "copied.mp4");
    const encoded = path.join(dir, "encoded.mp4");
    const outputs = segments.map((segment) => ({ path: segment.path, segment }));
    await joinSegments(outputs, copied);
    await joinSegments(outputs, encoded, { encode: "always", crf: 18, preset: "veryfast" });
    // Stream copy keeps the lossless segments as they are; the encode makes the final, lossy one.
    expect(frameHashes(copied)).toEqual(frameHashes(source));
    expect(frameHashes(encoded)).not.toEqual(frameHashes(source));
    expect((await probe(encoded)).frames).toBe(50);
    const profile = (file: string) =>
      execFileSync("ffprobe", [
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=profile",
        "-of",
        "csv=p=0",
        file,
      ])
        .toString()
        .trim();
    expect(profile(copied)).toBe("High 4:4:4 Predictive");
    expect(profile(encoded)).toBe("High");
    const { psnr } = await compareFrames(encoded, source);
    expect(Math.min(...psnr)).toBeGreaterThan(35);
  });
});
