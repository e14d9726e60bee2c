import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  concatSegments,
  extractAudio,
  generateTestVideo,
  muxAudio,
  probe,
  runFfmpeg,
  splitVideo,
} from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegScaleArgs } from "../src/index.js";

/**
 * The CLI's path with the worker's real ffmpeg-scale command: split → scale each segment →
 * concat → put the source audio back. The result came out ~one frame long (4.032 s for 4 s)
 * because the audio went through a Matroska file, which loses AAC's encoder delay.
 */
describe("an upscale assembled from segments", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "fanout-worker-segmented-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ["an .m4a copy of the input's audio", "audio.m4a"],
    ["the input's audio read straight from the input", null],
  ])(
    "lasts as long as its input, video stream and container, within half a frame, with %s",
    async (_, audioName) => {
      const input = path.join(dir, `input-${audioName ?? "direct"}.mp4`);
      await generateTestVideo({ output: input, seconds: 4, width: 160, height: 90 });
      const source = await probe(input);
      // 1.6 s = 40 frames: the last segment is shorter than the others.
      const segments = await splitVideo(input, {
        outputDir: path.join(dir, `segments-${audioName ?? "direct"}`),
        segmentSeconds: 1.6,
        preset: "ultrafast",
      });
      expect(segments).toHaveLength(3);
      const outputs: string[] = [];
      for (const segment of segments) {
        const output = path.join(dir, `up-${audioName ?? "direct"}-${segment.index}.mp4`);
        const options = { scale: 2, crf: 30, preset: "ultrafast", audio: "auto", lossless: false } as const;
        await runFfmpeg(ffmpegScaleArgs(segment.path, output, options, await probe(segment.path)));
        outputs.push(output);
      }
      const joined = path.join(dir, `joined-${audioName ?? "direct"}.mp4`);
      await concatSegments(outputs, joined);
      const audio = audioName === null ? input : path.join(dir, audioName);
      if (audioName !== null) expect(await extractAudio(input, audio)).toBe(true);
      const final = path.join(dir, `final-${audioName ?? "direct"}.mp4`);
      await muxAudio({ video: joined, audio, output: final });

      const out = await probe(final);
      const halfFrame = 0.5 / source.fps;
      expect([out.width, out.height]).toEqual([320, 180]);
      expect(out.frames).toBe(source.frames);
      expect(
        Math.abs((out.videoDurationSeconds ?? 0) - (source.videoDurationSeconds ?? 0)),
      ).toBeLessThanOrEqual(halfFrame);
      expect(Math.abs(out.durationSeconds - source.durationSeconds)).toBeLessThanOrEqual(halfFrame);
      expect(
        Math.abs((out.audioDurationSeconds ?? 0) - (source.audioDurationSeconds ?? 0)),
      ).toBeLessThanOrEqual(halfFrame);
    },
  );
});
