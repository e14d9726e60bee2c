import { copyFile, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import {
  concatSegments,
  generateTestVideo,
  probe,
  SegmentMismatchError,
  splitVideo,
  type VideoInfo,
  VideoOptionsError,
  type VideoSegment,
} from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { countFrames, tempDir } from "./helpers.js";

const FRAME = 1 / 25;
let dir: string;
let source: string;
let sourceInfo: VideoInfo;

beforeAll(async () => {
  dir = await tempDir("split");
  source = path.join(dir, "source.mp4");
  await generateTestVideo({ output: source, seconds: 4, width: 320, height: 180, fps: 25 });
  sourceInfo = await probe(source);
});

describe("splitVideo (exact)", () => {
  let segments: VideoSegment[];

  beforeAll(async () => {
    segments = await splitVideo(source, { outputDir: path.join(dir, "exact"), segmentSeconds: 1 });
  });

  test("cuts a 4 s clip into four 1 s segments of 25 frames each, without audio", async () => {
    expect(segments.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    for (const [i, segment] of segments.entries()) {
      expect(segment.startSeconds).toBeCloseTo(i, 5);
      expect(segment.durationSeconds).toBeCloseTo(1, 5);
      const info = await probe(segment.path);
      expect(info.frames).toBe(25);
      expect(Math.abs((info.videoDurationSeconds ?? 0) - 1)).toBeLessThanOrEqual(FRAME);
      expect(info.hasAudio).toBe(false);
    }
    expect((await readdir(path.join(dir, "exact"))).sort()).toEqual(
      segments.map((s) => path.basename(s.path)),
    );
  });

  test("round-trips through concatSegments with the same frame count and duration", async () => {
    const output = path.join(dir, "joined.mp4");
    await concatSegments(
      segments.map((s) => s.path),
      output,
    );
    const joined = await probe(output);
    expect(countFrames(output)).toBe(sourceInfo.frames);
    expect(joined.frames).toBe(sourceInfo.frames);
    expect(Math.abs(joined.durationSeconds - (sourceInfo.videoDurationSeconds ?? 0))).toBeLessThanOrEqual(
      FRAME,
    );
    expect(joined).toMatchObject({ width: 320, height: 180, fpsFraction: "25/1", videoCodec: "h264" });
  });

  test("ends segments on the frame nearest a boundary that is not a whole number of frames", async () => {
    const odd = await splitVideo(source, { outputDir: path.join(dir, "odd"), segmentSeconds: 1.5 });
    expect(odd).toHaveLength(3);
    const frames = await Promise.all(odd.map(async (s) => (await probe(s.path)).frames));
    expect(frames.reduce((a, b) => a + b, 0)).toBe(100);
    for (const [i, s] of odd.slice(0, -1).entries()) {
      expect(Math.abs(s.durationSeconds - 1.5)).toBeLessThanOrEqual(FRAME);
      expect(frames[i]).toBeGreaterThanOrEqual(37);
      expect(frames[i]).toBeLessThanOrEqual(38);
    }
  });

  test("reports progress while re-encoding", async () => {
    const fractions: number[] = [];
    await splitVideo(source, {
      outputDir: path.join(dir, "progress"),
      segmentSeconds: 2,
      onProgress: (p) => fractions.push(p.fraction ?? -1),
    });
    expect(fractions.at(-1)).toBe(1);
  });
});

describe("splitVideo (copy)", () => {
  test("cuts at keyframes without re-encoding", async () => {
    // The exact split above left keyframes every second; copy mode can cut there losslessly.
    const keyed = path.join(dir, "keyed.mp4");
    const exact = await splitVideo(source, { outputDir: path.join(dir, "keyed-parts"), segmentSeconds: 1 });
    await concatSegments(
      exact.map((s) => s.path),
      keyed,
    );
    const copied = await splitVideo(keyed, {
      outputDir: path.join(dir, "copy"),
      segmentSeconds: 2,
      mode: "copy",
    });
    expect(copied).toHaveLength(2);
    expect(await Promise.all(copied.map(async (s) => (await probe(s.path)).frames))).toEqual([50, 50]);
  });

  test("makes one segment from a clip whose only keyframe is the first frame", async () => {
    const oneGop = path.join(dir, "one-gop.mp4");
    await generateTestVideo({ output: oneGop, seconds: 3, width: 160, height: 90, audio: false });
    const copied = await splitVideo(oneGop, {
      outputDir: path.join(dir, "one-gop"),
      segmentSeconds: 1,
      mode: "copy",
    });
    expect(copied).toHaveLength(1);
    expect((await probe(copied[0]?.path ?? "")).frames).toBe(75);
  });
});

describe("splitVideo options", () => {
  test("reports every invalid option together", async () => {
    const error = await splitVideo(source, {
      outputDir: "",
      segmentSeconds: 0,
      // @ts-expect-error — checking runtime validation of a wrong mode
      mode: "fast",
      crf: 99,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(VideoOptionsError);
    expect(error.problems).toEqual([
      'outputDir: expected a file path, got ""',
      "segmentSeconds: expected a number > 0, got 0",
      'mode: expected one of "exact", "copy", got "fast"',
      'crf: expected a known key, got "crf"',
    ]);
  });

  test("writes segments into a directory whose name contains % and quotes", async () => {
    const outputDir = path.join(dir, "100% it's");
    const segments = await splitVideo(source, { outputDir, segmentSeconds: 2 });
    expect(segments.map((s) => path.basename(s.path))).toEqual(["segment-00000.mp4", "segment-00001.mp4"]);
    const joined = path.join(outputDir, "joined it's.mp4");
    await concatSegments(
      segments.map((s) => s.path),
      joined,
    );
    expect((await probe(joined)).frames).toBe(100);
  });
});

describe("concatSegments", () => {
  test.each([
    ["size", { width: 160, height: 90, fps: 25 }, "320x180", "160x90"],
    ["fps", { width: 320, height: 180, fps: 30 }, "25/1", "30/1"],
  ] as const)(
    "throws SegmentMismatchError when segments differ in %s",
    async (field, other, expected, actual) => {
      const a = path.join(dir, `a-${field}.mp4`);
      const b = path.join(dir, `b-${field}.mp4`);
      await generateTestVideo({ output: a, seconds: 1, width: 320, height: 180, fps: 25, audio: false });
      await generateTestVideo({ output: b, seconds: 1, ...other, audio: false });
      const error = await concatSegments([a, a, b], path.join(dir, `never-${field}.mp4`)).catch((e) => e);
      expect(error).toBeInstanceOf(SegmentMismatchError);
      expect(error).toMatchObject({ code: "SEGMENT_MISMATCH", index: 2, path: b, field, expected, actual });
    },
  );

  test("throws SegmentMismatchError when one segment has audio and another has none", async () => {
    const silent = path.join(dir, "silent.mp4");
    const loud = path.join(dir, "loud.mp4");
    await generateTestVideo({ output: silent, seconds: 1, width: 160, height: 90, audio: false });
    await generateTestVideo({ output: loud, seconds: 1, width: 160, height: 90 });
    await expect(concatSegments([silent, loud], path.join(dir, "never.mp4"))).rejects.toMatchObject({
      field: "audio",
    });
  });

  test("joins files whose names contain quotes, spaces and a protocol-like colon", async () => {
    const parts = path.join(dir, "odd-names");
    await mkdir(parts);
    const names = ["it's one.mp4", "http:two.mp4"];
    for (const name of names) await copyFile(source, path.join(parts, name));
    const output = path.join(parts, "joined.mp4");
    await concatSegments(
      names.map((n) => path.join(parts, n)),
      output,
    );
    expect((await probe(output)).frames).toBe(200);
  });

  test("rejects an empty list and names with line breaks", async () => {
    await expect(concatSegments([], path.join(dir, "x.mp4"))).rejects.toBeInstanceOf(VideoOptionsError);
    await expect(concatSegments(["a\nb.mp4"], path.join(dir, "x.mp4"))).rejects.toThrow(/line breaks/);
  });
});
