import path from "node:path";
import { extractAudio, generateTestVideo, muxAudio, probe, runFfmpeg, splitVideo } from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { streamMd5, tempDir } from "./helpers.js";

let dir: string;
let source: string;

beforeAll(async () => {
  dir = await tempDir("audio");
  source = path.join(dir, "source.mp4");
  await generateTestVideo({ output: source, seconds: 2, width: 320, height: 180 });
});

describe("extractAudio", () => {
  test("copies the audio track bit for bit and keeps its duration", async () => {
    const audio = path.join(dir, "audio.m4a");
    expect(await extractAudio(source, audio)).toBe(true);
    const [before, after] = await Promise.all([probe(source), ffprobeAudio(audio)]);
    expect(Math.abs(after.duration - (before.audioDurationSeconds ?? 0))).toBeLessThanOrEqual(0.05);
    expect(after.codec).toBe("aac");
    expect(streamMd5(audio, "a:0")).toBe(streamMd5(source, "a:0"));
  });

  test("refuses a Matroska file for AAC audio, which lost the encoder delay and made muxed output a frame long", async () => {
    const mka = path.join(dir, "audio.mka");
    await expect(extractAudio(source, mka)).rejects.toMatchObject({
      code: "INVALID_VIDEO_OPTIONS",
      problems: [
        expect.stringMatching(/^output: expected an MP4-family file .* for AAC audio, got ".*audio\.mka"/),
      ],
    });
    await expect(probe(mka)).rejects.toThrow();
  });

  test("returns false and writes nothing for a video without audio", async () => {
    const silent = path.join(dir, "silent.mp4");
    await generateTestVideo({ output: silent, seconds: 1, width: 160, height: 90, audio: false });
    expect(await extractAudio(silent, path.join(dir, "none.m4a"))).toBe(false);
    await expect(probe(path.join(dir, "none.m4a"))).rejects.toThrow();
  });
});

describe("muxAudio", () => {
  test("puts the audio back on processed video, keeping both untouched", async () => {
    const audio = path.join(dir, "for-mux.m4a");
    await extractAudio(source, audio);
    const [segment] = await splitVideo(source, { outputDir: path.join(dir, "segments"), segmentSeconds: 2 });
    const video = segment?.path ?? "";
    const output = path.join(dir, "muxed.mp4");
    await muxAudio({ video, audio, output });

    const [muxed, original] = await Promise.all([probe(output), probe(source)]);
    expect(muxed.hasAudio).toBe(true);
    expect(
      Math.abs((muxed.audioDurationSeconds ?? 0) - (original.audioDurationSeconds ?? 0)),
    ).toBeLessThanOrEqual(0.05);
    expect(streamMd5(output, "v:0")).toBe(streamMd5(video, "v:0"));
    expect(streamMd5(output, "a:0")).toBe(streamMd5(audio, "a:0"));
    expect(muxed.frames).toBe(50);
  });

  test("keeps audio that is longer than the video (no -shortest)", async () => {
    const longAudio = path.join(dir, "three-seconds.m4a");
    await runFfmpeg(["-y", "-f", "lavfi", "-i", "sine=frequency=220:duration=3", "-c:a", "aac", longAudio]);
    const video = path.join(dir, "one-second.mp4");
    await generateTestVideo({ output: video, seconds: 1, width: 160, height: 90, audio: false });
    const output = path.join(dir, "long-audio.mp4");
    await muxAudio({ video, audio: longAudio, output });

    const muxed = await probe(output);
    const expected = (await ffprobeAudio(longAudio)).duration;
    expect(Math.abs((muxed.audioDurationSeconds ?? 0) - expected)).toBeLessThanOrEqual(0.05);
    expect(muxed.durationSeconds).toBeGreaterThan(2.9);
    expect(muxed.frames).toBe(25);
  });
});

/** Audio-only files have no video stream, so probe() rejects them; read them with ffprobe directly. */
async function ffprobeAudio(file: string): Promise<{ duration: number; codec: string }> {
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      "a:0",
      "-show_entries",
      "stream=duration,codec_name",
      "-of",
      "json",
      file,
    ],
    { encoding: "utf8" },
  );
  const stream = (JSON.parse(out) as { streams: Array<{ duration: string; codec_name: string }> }).streams[0];
  return { duration: Number(stream?.duration), codec: stream?.codec_name ?? "" };
}
