import { describe, expect, it } from "vitest";
import { type VideoFacts, verifyUpscaled } from "../src/upscale/verify.js";

const input: VideoFacts = {
  width: 640,
  height: 360,
  fps: 25,
  durationSeconds: 20,
  videoDurationSeconds: 20,
  hasAudio: true,
  audioCodec: "aac",
  sizeBytes: 1_000_000,
};
const good: VideoFacts = { ...input, width: 1280, height: 720, sizeBytes: 3_000_000 };

describe("verifying an upscaled output", () => {
  it("accepts twice the size, the same duration and the source audio", () => {
    expect(verifyUpscaled(input, good, 2)).toEqual([]);
  });

  it("accepts a duration off by less than one frame", () => {
    expect(
      verifyUpscaled(input, { ...good, durationSeconds: 20.039, videoDurationSeconds: 19.961 }, 2),
    ).toEqual([]);
  });

  it("rejects a duration off by more than one frame", () => {
    expect(verifyUpscaled(input, { ...good, durationSeconds: 19.9 }, 2)).toEqual([
      "duration: expected 20.000s ± one frame (0.040s), got 19.900s",
    ]);
  });

  it("rejects a video stream shorter than the source's even when the container matches", () => {
    const problems = verifyUpscaled(input, { ...good, videoDurationSeconds: 16 }, 2);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^video stream duration/);
  });

  it("rejects the wrong size", () => {
    expect(verifyUpscaled(input, good, 3)).toEqual(["size: expected 1920×1080, got 1280×720"]);
  });

  it("rejects a lost audio track and an empty file, reporting both", () => {
    expect(verifyUpscaled(input, { ...good, hasAudio: false, audioCodec: null, sizeBytes: 0 }, 2)).toEqual([
      "audio: expected the source's aac track, got none",
      "file size: expected more than 0 bytes, got 0",
    ]);
  });

  it("asks for no audio when the source has none", () => {
    const silent = { ...input, hasAudio: false, audioCodec: null };
    expect(verifyUpscaled(silent, { ...good, hasAudio: false, audioCodec: null }, 2)).toEqual([]);
  });
});
