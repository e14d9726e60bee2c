import path from "node:path";
import {
  concatSegments,
  extractAudio,
  findFfmpeg,
  generateTestVideo,
  joinSegments,
  muxAudio,
  probe,
  runFfmpeg,
  splitVideo,
  splitVideoOptionsSchema,
  VideoOptionsError,
  verifySegmentFrames,
} from "@ecs-fanout/video";
import { describe, expect, test } from "vitest";

// Every call below would spawn ffmpeg or ffprobe (on files that do not exist) if its options got
// past validation; the error must come first, naming the bad key by its path.
const missing = path.join("/nonexistent", "clip.mp4");
const segment = {
  index: 0,
  path: missing,
  startSeconds: 0,
  durationSeconds: 1,
  startFrame: 0,
  frames: 25,
  contextBefore: 0,
  contextAfter: 0,
  fpsFraction: "25/1",
};

type Call = () => Promise<unknown>;
const unknownKeys: Array<[string, Call, string]> = [
  [
    "probe",
    () => probe(missing, { signl: undefined } as never),
    'signl: expected a known key (did you mean "signal"?)',
  ],
  [
    "splitVideo",
    () => splitVideo(missing, { outputDir: "/tmp/x", segmentSeconds: 1, overlapFrame: 2 } as never),
    'overlapFrame: expected a known key (did you mean "overlapFrames"?)',
  ],
  [
    "concatSegments",
    () => concatSegments([missing], "/tmp/out.mp4", { onProgres: () => {} } as never),
    'onProgres: expected a known key (did you mean "onProgress"?)',
  ],
  [
    "joinSegments",
    () =>
      joinSegments([{ path: missing, segment: { ...segment, contextBefor: 1 } }] as never, "/tmp/out.mp4"),
    'outputs[0].segment.contextBefor: expected a known key (did you mean "contextBefore"?)',
  ],
  [
    "extractAudio",
    () => extractAudio(missing, "/tmp/a.m4a", { sigal: undefined } as never),
    'sigal: expected a known key (did you mean "signal"?)',
  ],
  [
    "muxAudio",
    () => muxAudio({ video: missing, audio: missing, output: "/tmp/o.mp4", audioCodc: "aac" } as never),
    'audioCodc: expected a known key (did you mean "audioCodec"?)',
  ],
  [
    "generateTestVideo",
    () => generateTestVideo({ output: "/tmp/g.mp4", seconds: 1, width: 2, height: 2, audo: false } as never),
    'audo: expected a known key (did you mean "audio"?)',
  ],
  [
    "runFfmpeg",
    () => runFfmpeg(["-version"], { durationSecond: 1 } as never),
    'durationSecond: expected a known key (did you mean "durationSeconds"?)',
  ],
  [
    "findFfmpeg",
    () => findFfmpeg({ npmResolvFrom: [] } as never),
    'npmResolvFrom: expected a known key (did you mean "npmResolveFrom"?)',
  ],
  [
    "verifySegmentFrames",
    () => verifySegmentFrames(missing, { index: 0, frames: 1, fps: 25, framez: 1 } as never),
    'framez: expected a known key (did you mean "frames"?)',
  ],
];

describe("every helper's options are a strict schema", () => {
  test.each(unknownKeys)(
    "%s rejects an unknown key by its path, suggesting the known one",
    async (operation, call, problem) => {
      const error = (await call().catch((e) => e)) as VideoOptionsError;
      expect(error).toBeInstanceOf(VideoOptionsError);
      expect(error).toMatchObject({ code: "INVALID_VIDEO_OPTIONS", operation });
      expect(error.problems).toEqual([expect.stringContaining(problem)]);
    },
  );

  test.each([
    ["a positional path", () => probe(""), ['file: expected a file path, got ""']],
    [
      "an empty segment list and a bad output",
      () => joinSegments([], ""),
      [
        "outputs: expected a non-empty array of segment outputs, got an array of 0",
        'output: expected a file path, got ""',
      ],
    ],
    [
      "a segment list entry with a line break",
      () => concatSegments(["a\nb.mp4"], "/tmp/x.mp4"),
      ['paths[0]: expected a file path without line breaks, got "a\\nb.mp4"'],
    ],
    [
      "overlap with copy mode",
      () => splitVideo(missing, { outputDir: "/tmp/x", segmentSeconds: 1, mode: "copy", overlapFrames: 2 }),
      ['overlapFrames: expected 0 with mode "copy" (context frames need an exact cut), got 2'],
    ],
    [
      "odd sizes and a negative length",
      () => generateTestVideo({ output: "/tmp/g.mp4", seconds: -1, width: 321, height: 180 }),
      [
        "seconds: expected a number > 0, got -1",
        "width: expected an even integer > 0 (H.264 yuv420p needs even sizes), got 321",
      ],
    ],
    [
      "a join CRF out of range",
      () => joinSegments([{ path: missing, segment }], "/tmp/o.mp4", { crf: 52, overlap: "blend" as never }),
      [
        'overlap: expected one of "trim", "crossfade", got "blend"',
        "crf: expected an integer from 0 to 51, got 52",
      ],
    ],
  ] as Array<[string, Call, string[]]>)("reports %s in the expected-got voice", async (_, call, problems) => {
    const error = (await call().catch((e) => e)) as VideoOptionsError;
    expect(error).toBeInstanceOf(VideoOptionsError);
    expect(error.problems).toEqual(problems);
  });

  test("validates before anything is spawned", async () => {
    let spawned = false;
    const run = runFfmpeg(["-version"], { progressIntervalSeconds: 0, onSpawn: () => (spawned = true) });
    await expect(run).rejects.toMatchObject({
      problems: ["progressIntervalSeconds: expected a number > 0, got 0"],
    });
    expect(spawned).toBe(false);
  });

  test("applies each default from the schema", () => {
    expect(splitVideoOptionsSchema.parse({ outputDir: "d", segmentSeconds: 2 })).toEqual({
      outputDir: "d",
      segmentSeconds: 2,
      mode: "exact",
      overlapFrames: 0,
      preset: "ultrafast",
      concurrency: 2,
      prefix: "segment-",
    });
  });
});
