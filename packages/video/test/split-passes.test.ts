import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  FrameMismatchError,
  joinSegments,
  ProbeError,
  probe,
  readFrameTimes,
  splitVideo,
  type VideoSegment,
} from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { parseFramecrc, readFrameTimesOf } from "../src/frames-batch.js";
import { inspectVideo } from "../src/inspect.js";
import { passArgs, planPasses, SEGMENTS_PER_PASS } from "../src/split-exact.js";
import { planSegments } from "../src/split-plan.js";
import { frameHashes, tempDir } from "./helpers.js";

let dir: string;
/** 4 s at 25 fps with a keyframe every 10 frames and B-frames: seeks land mid-GOP. */
let keyed: string;
/** 1 s at 30000/1001 with B-frames and AAC audio, and the same streams in Matroska. */
let bframes: string;
let matroska: string;

beforeAll(async () => {
  dir = await tempDir("passes");
  keyed = path.join(dir, "keyed.mp4");
  execFileSync("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=4"],
    ...["-c:v", "libx264", "-preset", "medium", "-bf", "3", "-g", "10", "-pix_fmt", "yuv420p", keyed],
  ]);
  bframes = path.join(dir, "bframes.mp4");
  execFileSync("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30000/1001:duration=1"],
    ...["-f", "lavfi", "-i", "sine=duration=1", "-c:v", "libx264", "-bf", "3", "-c:a", "aac", bframes],
  ]);
  matroska = path.join(dir, "bframes.mkv");
  execFileSync("ffmpeg", ["-v", "error", "-y", "-i", bframes, "-c", "copy", matroska]);
});

describe("reading a file once", () => {
  test.each([
    ["MP4 with B-frames and audio", () => bframes],
    ["Matroska, which stores no frame count", () => matroska],
  ])("inspectVideo (%s) reads what probe and readFrameTimes read, in one ffprobe run", async (_, file) => {
    const { info, times } = await inspectVideo(file());
    expect(info).toEqual(await probe(file()));
    expect(times).toEqual(await readFrameTimes(file()));
    expect(times).toHaveLength(30);
  });

  test("readFrameTimesOf reads the same times as readFrameTimes, for several files in one ffmpeg run", async () => {
    const files = [bframes, matroska, keyed];
    const together = await readFrameTimesOf(files);
    expect(together.map((t) => t.length)).toEqual([30, 30, 100]);
    for (const [i, file] of files.entries()) {
      const alone = await readFrameTimes(file);
      expect(together[i]).toHaveLength(alone.length);
      for (const [k, t] of (together[i] ?? []).entries()) {
        expect(t, `${path.basename(file)} frame ${k}`).toBeCloseTo(alone[k] ?? -1, 5);
      }
    }
  });

  test("readFrameTimesOf names the file it cannot read, as readFrameTimes does", async () => {
    const broken = path.join(dir, "broken.mp4");
    await writeFile(broken, "not a video at all");
    const error = await readFrameTimesOf([bframes, broken, keyed]).catch((e) => e);
    expect(error).toBeInstanceOf(ProbeError);
    expect(error.message).toContain(broken);
  });

  test("parseFramecrc skips packets without a time and refuses a line it cannot read", () => {
    const header = "#tb 0: 1/25\n#tb 1: 1/1000\n";
    const body =
      "0, 0, 1, 1, 10, 0x0\n0, 1, -9223372036854775808, 1, 10, 0x0\n1, 0, 40, 40, 9, 0x0\n0, 2, 0, 1, 10, 0x0\n";
    expect(parseFramecrc(header + body, 2, "f")).toEqual([[0, 0.04], [0.04]]);
    expect(() => parseFramecrc(`${header}0, 0, x, 1, 10, 0x0\n`, 2, "f")).toThrow(ProbeError);
    expect(() => parseFramecrc("0, 0, 0, 1, 10, 0x0\n", 1, "f")).toThrow(/no time base for stream 0/);
  });
});

describe("splitVideo (exact) writes up to eight segments per ffmpeg", () => {
  test("groups consecutive segments into passes that decode each frame once, context included", () => {
    const times = Array.from({ length: 100 }, (_, k) => k / 25);
    const plan = planSegments(times, 0.2, 2, 25);
    const passes = planPasses(plan);
    expect(plan).toHaveLength(20);
    expect(passes.map((p) => [p.ranges.length, p.start, p.end])).toEqual([
      [SEGMENTS_PER_PASS, 0, 42],
      [SEGMENTS_PER_PASS, 38, 82],
      [4, 78, 100],
    ]);
  });

  test("one ffmpeg per pass: one input, a null output for progress, then each segment cut by frame number", () => {
    const times = Array.from({ length: 100 }, (_, k) => k / 25);
    const [, pass] = planPasses(planSegments(times, 0.2, 2, 25));
    if (pass === undefined) throw new Error("no second pass");
    const files = pass.ranges.map((r) => `/out/segment-${r.index}.mp4`);
    const args = passArgs(
      "/in.mp4",
      pass,
      times,
      { startSeconds: 0, pixelFormat: "yuv420p" },
      files,
      "ultrafast",
    );
    // Halfway between frames 37 and 38.
    expect(args.slice(0, 3)).toEqual(["-y", "-ss", "1.500000"]);
    expect(args.filter((a) => a === "-i")).toHaveLength(1);
    const graph = args[args.indexOf("-filter_complex") + 1]?.split(";") ?? [];
    expect(graph[0]).toBe(
      "[0:v:0]trim=end_frame=44,split=9[all][cut0][cut1][cut2][cut3][cut4][cut5][cut6][cut7]",
    );
    expect(graph[1]).toBe("[cut0]trim=start_frame=0:end_frame=9,setpts=PTS-STARTPTS[seg0]");
    expect(graph[8]).toBe("[cut7]trim=start_frame=35:end_frame=44,setpts=PTS-STARTPTS[seg7]");
    const outputs = args.filter((a) => a.endsWith(".mp4") && a.startsWith("/out/"));
    expect(outputs).toEqual(files);
    expect(args.slice(args.indexOf("[all]") - 1, args.indexOf("[all]") + 6)).toEqual([
      ...["-map", "[all]", "-c:v", "wrapped_avframe", "-f", "null", "-"],
    ]);
  });

  let segments: VideoSegment[];
  const fractions: number[] = [];
  const done: boolean[] = [];
  beforeAll(async () => {
    segments = await splitVideo(keyed, {
      outputDir: path.join(dir, "twenty"),
      segmentSeconds: 0.2,
      overlapFrames: 2,
      onProgress: (p) => {
        fractions.push(p.fraction ?? -1);
        done.push(p.done);
      },
    });
  });

  test("20 segments over three passes, seeking mid-GOP: every file holds exactly its source frames", () => {
    const source = frameHashes(keyed);
    expect(segments).toHaveLength(20);
    for (const s of segments) {
      const first = s.startFrame - s.contextBefore;
      expect(frameHashes(s.path), `segment ${s.index}`).toEqual(
        source.slice(first, s.startFrame + s.frames + s.contextAfter),
      );
    }
  });

  test("progress covers every pass, never goes back, and ends at 1", () => {
    expect(fractions.at(-1)).toBe(1);
    expect(done.indexOf(true)).toBe(done.length - 1);
    for (let i = 1; i < fractions.length; i++)
      expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] ?? 0);
  });

  test("the join reads every output once and refuses the first one that lost a frame, by its index", async () => {
    const outputs = segments.map((segment) => ({ path: segment.path, segment }));
    const short = path.join(dir, "short.mp4");
    const ninth = segments[9] as VideoSegment;
    execFileSync("ffmpeg", [
      ...["-v", "error", "-y", "-i", ninth.path, "-vf", "trim=end_frame=5", "-fps_mode", "passthrough"],
      ...["-c:v", "libx264", "-qp", "0", short],
    ]);
    outputs[9] = { path: short, segment: ninth };
    const error = await joinSegments(outputs, path.join(dir, "joined.mp4")).catch((e) => e);
    expect(error).toBeInstanceOf(FrameMismatchError);
    expect(error).toMatchObject({ index: 9, path: short, expectedFrames: 9, actualFrames: 5 });
  });
});
