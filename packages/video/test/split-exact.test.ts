import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import {
  FrameMismatchError,
  generateTestVideo,
  joinSegments,
  probe,
  type SegmentOutput,
  splitVideo,
  type VideoSegment,
  verifySegmentFrames,
} from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { frameHashes, lumaAverages, tempDir } from "./helpers.js";

let dir: string;
let source: string;
let sourceFrames: string[];

beforeAll(async () => {
  dir = await tempDir("exact");
  source = path.join(dir, "source.mp4");
  await generateTestVideo({ output: source, seconds: 4, width: 320, height: 180, fps: 25, audio: false });
  sourceFrames = frameHashes(source);
});

/** Runs ffmpeg on one segment file the way a processor would, keeping it lossless. */
function processLocally(segment: VideoSegment, filter: string, label: string): SegmentOutput {
  const output = path.join(dir, `${label}-${segment.index}.mp4`);
  execFileSync("ffmpeg", [
    ...["-v", "error", "-y", "-i", segment.path, "-vf", filter, "-fps_mode", "passthrough"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", output],
  ]);
  return { path: output, segment };
}

describe("splitVideo (exact) is lossless and frame-exact", () => {
  let segments: VideoSegment[];
  beforeAll(async () => {
    segments = await splitVideo(source, { outputDir: path.join(dir, "plain"), segmentSeconds: 1 });
  });

  test("every segment decodes to exactly its source frames, bit for bit (no generation of loss)", () => {
    expect(segments.map((s) => [s.startFrame, s.frames, s.contextBefore, s.contextAfter])).toEqual([
      [0, 25, 0, 0],
      [25, 25, 0, 0],
      [50, 25, 0, 0],
      [75, 25, 0, 0],
    ]);
    for (const s of segments) {
      expect(frameHashes(s.path)).toEqual(sourceFrames.slice(s.startFrame, s.startFrame + s.frames));
    }
  });

  test("joining untouched segments by stream copy gives back the source's frames", async () => {
    const output = path.join(dir, "plain-joined.mp4");
    await joinSegments(
      segments.map((segment) => ({ path: segment.path, segment })),
      output,
    );
    expect(frameHashes(output)).toEqual(sourceFrames);
  });
});

describe("overlapFrames", () => {
  let segments: VideoSegment[];
  beforeAll(async () => {
    segments = await splitVideo(source, {
      outputDir: path.join(dir, "overlap"),
      segmentSeconds: 1,
      overlapFrames: 4,
    });
  });

  test("adds four context frames on each side, fewer at the video's ends", () => {
    expect(segments.map((s) => [s.startFrame, s.frames, s.contextBefore, s.contextAfter])).toEqual([
      [0, 25, 0, 4],
      [25, 25, 4, 4],
      [50, 25, 4, 4],
      [75, 25, 4, 0],
    ]);
    for (const s of segments) {
      const first = s.startFrame - s.contextBefore;
      expect(frameHashes(s.path)).toEqual(
        sourceFrames.slice(first, s.startFrame + s.frames + s.contextAfter),
      );
    }
  });

  test("the join trims the context: every frame once, in order, as in the source", async () => {
    const output = path.join(dir, "overlap-trimmed.mp4");
    // CRF 0 makes the join's encode lossless, so the frames can be compared bit for bit.
    await joinSegments(
      segments.map((segment) => ({ path: segment.path, segment })),
      output,
      { crf: 0 },
    );
    expect(frameHashes(output)).toEqual(sourceFrames);
    expect((await probe(output)).fpsFraction).toBe("25/1");
  });

  test("a crossfade of segments that agree changes nothing", async () => {
    const output = path.join(dir, "overlap-crossfaded.mp4");
    await joinSegments(
      segments.map((segment) => ({ path: segment.path, segment })),
      output,
      { crf: 0, overlap: "crossfade" },
    );
    expect(frameHashes(output)).toEqual(sourceFrames);
  });

  test("a crossfade dissolves linearly from one segment's output into the next across the overlap", async () => {
    // Each processed segment is a flat grey of its own level: 40, 140, 40, 140.
    const outputs = segments.map((s) =>
      processLocally(s, `lutyuv=y=${s.index % 2 === 0 ? 40 : 140}:u=128:v=128`, "grey"),
    );
    const output = path.join(dir, "grey-crossfaded.mp4");
    await joinSegments(outputs, output, { crf: 0, overlap: "crossfade" });
    const luma = lumaAverages(output);
    expect(luma).toHaveLength(100);
    // The window is frames 21–28 (four each side of frame 25): (n + ½) / 8 of the way to 140.
    const window = luma.slice(21, 29).map(Math.round);
    expect(window).toEqual([46, 59, 71, 84, 96, 109, 121, 134]);
    expect(luma.slice(0, 21).every((y) => Math.round(y) === 40)).toBe(true);
    expect(luma.slice(29, 46).every((y) => Math.round(y) === 140)).toBe(true);
  });
});

describe("per-segment verification", () => {
  let segments: VideoSegment[];
  beforeAll(async () => {
    segments = await splitVideo(source, { outputDir: path.join(dir, "verify"), segmentSeconds: 2 });
  });

  test("accepts an output with its frames at the source's rate", async () => {
    const [first] = segments as [VideoSegment];
    await verifySegmentFrames(first.path, { index: 0, frames: 50, fps: "25/1" });
  });

  test.each([
    ["dropped its last frame", "trim=end_frame=49", expect.stringMatching(/^expected 50 frames, got 49$/)],
    [
      "repeated a frame",
      "loop=loop=1:size=1:start=10,setpts=N/(25*TB)",
      expect.stringMatching(/^expected 50 frames, got 51$/),
    ],
    [
      "slowed down its frames",
      "setpts=PTS*1.1",
      expect.stringMatching(/^frame \d+ is at [\d.]+ s, expected [\d.]+ s$/),
    ],
  ])("refuses an output that %s, and the join writes nothing", async (_, filter, detail) => {
    const label = filter.replace(/\W+/g, "");
    const outputs = segments.map((s) => processLocally(s, s.index === 1 ? filter : "null", label));
    const output = path.join(dir, `${label}-joined.mp4`);
    const error = await joinSegments(outputs, output).catch((e) => e);
    expect(error).toBeInstanceOf(FrameMismatchError);
    expect(error).toMatchObject({ code: "FRAME_MISMATCH", index: 1, path: outputs[1]?.path, detail });
    expect(existsSync(output)).toBe(false);
  });
});
