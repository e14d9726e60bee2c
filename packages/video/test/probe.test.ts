import { writeFile } from "node:fs/promises";
import path from "node:path";
import { generateTestVideo, ProbeError, probe, VideoOptionsError } from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await tempDir("probe");
});

describe("probe", () => {
  test("reads size, frame rate, frames, codecs and duration of a clip with audio", async () => {
    const file = path.join(dir, "with-audio.mp4");
    await generateTestVideo({ output: file, seconds: 2, width: 320, height: 180, fps: 25 });
    const info = await probe(file);
    expect(info).toMatchObject({
      width: 320,
      height: 180,
      fps: 25,
      fpsFraction: "25/1",
      frames: 50,
      videoCodec: "h264",
      audioCodec: "aac",
      hasAudio: true,
      pixelFormat: "yuv420p",
    });
    expect(info.durationSeconds).toBeCloseTo(2, 1);
    expect(info.videoDurationSeconds).toBeCloseTo(2, 2);
    expect(info.audioDurationSeconds).toBeCloseTo(2, 1);
    expect(info.formatName).toContain("mp4");
    expect(info.sizeBytes).toBeGreaterThan(1000);
  });

  test("reports no audio for a video-only clip at 30 fps", async () => {
    const file = path.join(dir, "silent.mp4");
    await generateTestVideo({ output: file, seconds: 1, width: 160, height: 90, fps: 30, audio: false });
    const info = await probe(file);
    expect(info).toMatchObject({
      hasAudio: false,
      audioCodec: null,
      audioDurationSeconds: null,
      fps: 30,
      frames: 30,
    });
  });

  test("counts frames in a container that stores no frame count (Matroska)", async () => {
    const file = path.join(dir, "clip.mkv");
    await generateTestVideo({ output: file, seconds: 1, width: 160, height: 90, audio: false });
    const info = await probe(file);
    expect(info.frames).toBe(25);
    expect(info.formatName).toContain("matroska");
  });

  test("throws ProbeError with ffprobe's reason for a file that is not a video", async () => {
    const file = path.join(dir, "not-a-video.mp4");
    await writeFile(file, "this is text, not video");
    const error = await probe(file).catch((e) => e);
    expect(error).toBeInstanceOf(ProbeError);
    expect(error.code).toBe("PROBE_FAILED");
    expect(error.path).toBe(file);
    expect(error.message).toMatch(/Invalid data/);
  });

  test("throws ProbeError for a missing file", async () => {
    await expect(probe(path.join(dir, "missing.mp4"))).rejects.toBeInstanceOf(ProbeError);
  });
});

describe("generateTestVideo", () => {
  test.each([
    [{ seconds: 0, width: 320, height: 180 }, "seconds: expected a number > 0, got 0"],
    [{ seconds: 1, width: 321, height: 180 }, "width: expected an even integer > 0"],
    [{ seconds: 1, width: 320, height: -2 }, "height: expected an even integer > 0"],
    [{ seconds: 1, width: 320, height: 180, fps: 0 }, "fps: expected a number > 0, got 0"],
  ])("rejects %j with %s", async (opts, problem) => {
    const error = await generateTestVideo({ output: path.join(dir, "x.mp4"), ...opts }).catch((e) => e);
    expect(error).toBeInstanceOf(VideoOptionsError);
    expect(error.message).toContain(problem);
  });

  test("reports every problem at once", async () => {
    const error = await generateTestVideo({ output: "", seconds: -1, width: 3, height: 3 }).catch((e) => e);
    expect(error.problems).toHaveLength(4);
  });
});
