import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkSchema } from "@ecs-fanout/protocol";
import { splitVideoOptionsSchema } from "@ecs-fanout/video";
import { seedVr2Params } from "@ecs-fanout/worker";
import { livenessSchema } from "ecs-fanout/options";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processorParams } from "../src/commands/run.js";
import { UsageError } from "../src/errors.js";
import { checkFlags } from "../src/parse/flags.js";
import { type RunOptions, runOptionsSchema } from "../src/parse/run-options.js";
import { createProgram } from "../src/program.js";
import { memoryIo } from "./support/io.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-run-flags-"));
  await writeFile(join(dir, "in.mp4"), "not read: only the flags are parsed");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const schema = () => runOptionsSchema({ cwd: dir, target: { kind: "local", reason: "--local" } });

/** `run`'s options from flags as commander hands them over (strings, `true` for a switch). */
function parse(flags: Record<string, unknown>): RunOptions {
  return checkFlags("run", schema(), { input: "in.mp4", out: "out.mp4", local: true, ...flags });
}

/** The problems `run` reports for these flags, as the lines the user reads. */
function problems(flags: Record<string, unknown>): string[] {
  try {
    parse(flags);
    return [];
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const clip = { width: 320, height: 180 };

describe("run's overlap, temporal and liveness flags", () => {
  it("leave every option to the API's default when none is given", () => {
    const o = parse({});
    expect(o.overlapFrames).toBeUndefined();
    expect(o.overlapJoin).toBe("trim");
    expect(o.temporal).toBeUndefined();
    expect(o.lossless).toBe(false);
    expect(o.liveness).toBeUndefined();
    expect(processorParams(o, clip)).toEqual({ processor: "ffmpeg-scale", scale: 2, preset: "veryfast" });
  });

  it("read context frames, the join, the temporal filter and a lossless encode", () => {
    const o = parse({ overlapFrames: "4", overlapJoin: "crossfade", temporal: "tmix", lossless: true });
    expect([o.overlapFrames, o.overlapJoin]).toEqual([4, "crossfade"]);
    // Lossless: x264's fastest preset, since with -qp 0 the preset never changes the pixels.
    expect(processorParams(o, clip)).toEqual({
      processor: "ffmpeg-scale",
      scale: 2,
      preset: "ultrafast",
      temporal: "tmix",
      lossless: true,
    });
  });

  it("give SeedVR2 its temporal overlap beside the resolution it computes from the input", () => {
    const o = parse({ processor: "seedvr2", temporalOverlap: "8", scale: "3" });
    expect(processorParams(o, clip)).toEqual({ processor: "seedvr2", temporalOverlap: 8, resolution: 540 });
  });

  it("make the run's liveness option of the liveness flags given, and only those", () => {
    expect(parse({ livenessFailures: "2" }).liveness).toEqual({ failures: 2 });
    expect(
      parse({ livenessInterval: "250", livenessTimeout: "400.5", livenessFailures: "5" }).liveness,
    ).toEqual({ intervalMs: 250, timeoutMs: 400.5, failures: 5 });
  });

  it.each([
    [{ overlapFrames: "-1" }, '--overlap-frames: expected an integer from 0 to 1000, got "-1"'],
    [{ overlapFrames: "2.5" }, '--overlap-frames: expected an integer from 0 to 1000, got "2.5"'],
    [{ overlapJoin: "blend" }, '--overlap-join: expected one of "trim", "crossfade", got "blend"'],
    [{ temporal: "blur" }, '--temporal: expected one of "tmix", "hqdn3d", got "blur"'],
    [{ livenessInterval: "50" }, '--liveness-interval: expected a number from 100 to 60000, got "50"'],
    [{ livenessTimeout: "soon" }, '--liveness-timeout: expected a number from 100 to 60000, got "soon"'],
    [{ livenessFailures: "0" }, '--liveness-failures: expected an integer from 1 to 100, got "0"'],
    [
      { processor: "seedvr2", temporalOverlap: "65" },
      '--temporal-overlap: expected an integer from 0 to 64, got "65"',
    ],
  ])("refuse %j, naming the flag", (flags, problem) => {
    expect(problems(flags)).toEqual([problem]);
  });

  it("check each value with the API's own schema, so the CLI and the API refuse the same values", () => {
    // The edges of each rule, as the API states them: accepted and refused alike by both.
    const cases: Array<[Record<string, string>, unknown, boolean]> = [
      [{ overlapFrames: "1000" }, splitVideoOptionsSchema.shape.overlapFrames.safeParse(1000).success, true],
      [{ overlapFrames: "1001" }, splitVideoOptionsSchema.shape.overlapFrames.safeParse(1001).success, false],
      [{ livenessFailures: "100" }, livenessSchema.shape.failures.safeParse(100).success, true],
      [{ livenessFailures: "101" }, livenessSchema.shape.failures.safeParse(101).success, false],
      [{ livenessTimeout: "60000" }, livenessSchema.shape.timeoutMs.safeParse(60_000).success, true],
      [{ livenessTimeout: "99" }, livenessSchema.shape.timeoutMs.safeParse(99).success, false],
    ];
    for (const [flags, api, valid] of cases) {
      expect(api, JSON.stringify(flags)).toBe(valid);
      expect(problems(flags).length === 0, JSON.stringify(flags)).toBe(valid);
    }
  });

  it("refuse a crossfade without context frames to blend", () => {
    expect(problems({ overlapJoin: "crossfade" })).toEqual([
      '--overlap-join: expected --overlap-frames above 0 beside it (context frames to blend), got "no context frames"',
    ]);
    expect(problems({ overlapJoin: "crossfade", overlapFrames: "0" })).toHaveLength(1);
    expect(problems({ overlapJoin: "crossfade", overlapFrames: "2" })).toEqual([]);
  });

  it("refuse a processor's flag beside another processor", () => {
    expect(problems({ processor: "seedvr2", temporal: "tmix", lossless: true })).toEqual([
      '--temporal: expected --processor ffmpeg-scale (the flag sets its temporal), got "seedvr2"',
      '--lossless: expected --processor ffmpeg-scale (the flag sets its lossless), got "seedvr2"',
    ]);
    expect(problems({ temporalOverlap: "4" })).toEqual([
      '--temporal-overlap: expected --processor seedvr2 (the flag sets its temporalOverlap), got "ffmpeg-scale"',
    ]);
  });

  it("check the flags and --params together with the processor's schema, before anything runs", () => {
    // SeedVR2's own rule between two options: the overlap must be shorter than a batch.
    const both = { processor: "seedvr2", temporalOverlap: "40", params: '{"batchSize":33}' };
    const expected = checkSchema(seedVr2Params, { temporalOverlap: 40, batchSize: 33 });
    expect(expected.ok).toBe(false);
    expect(problems(both)).toEqual(["--temporal-overlap: expected less than batchSize 33, got 40"]);
    // A value --params sets is named at its key in --params.
    expect(problems({ params: '{"crff":20,"temporal":"blur"}' })).toEqual([
      '--params.temporal: expected one of "tmix", "hqdn3d", got "blur"',
      '--params.crff: expected a known key (did you mean "crf"?), got "crff"',
    ]);
    expect(problems({ params: '{"batchSize":32}', processor: "seedvr2" })).toEqual([
      "--params.batchSize: expected 4n+1 (1, 5, 9, …, 129), got 32",
    ]);
  });

  it("say in --help what each flag does and its default", () => {
    const program = createProgram(memoryIo({ home: dir }), () => {});
    const run = program.commands.find((c) => c.name() === "run")!;
    const help = Object.fromEntries(run.options.map((o) => [o.long, o.description]));
    expect(help["--overlap-frames"]).toMatch(/context frames .* \(default: 0\)$/);
    expect(help["--overlap-join"]).toMatch(/trim drops them, crossfade blends .*\(default: trim\)$/);
    expect(help["--temporal"]).toMatch(/^ffmpeg-scale: a temporal filter .*default: none\)$/);
    expect(help["--lossless"]).toMatch(/^ffmpeg-scale: .*losslessly.*\(default: off\)$/);
    expect(help["--temporal-overlap"]).toMatch(/^seedvr2: .*\(default: 0\)$/);
    expect(help["--liveness-interval"]).toMatch(/\(default: 1000\)$/);
    expect(help["--liveness-timeout"]).toMatch(/\(default: 1500\)$/);
    expect(help["--liveness-failures"]).toMatch(/given up on.*\(default: 3\)$/);
  });
});
