/**
 * The run options the CLI passes through to the video package, the worker's processor and the
 * core, end to end: the real bin as a process, tasks of the local ECS endpoint, real workers and
 * real ffmpeg on a generated clip.
 */

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { compareFrames, generateTestVideo, probe, readFrameTimes, runFfmpeg } from "@ecs-fanout/video";
import { ffmpegScaleArgs, ffmpegScaleParams } from "@ecs-fanout/worker";
import { readManifest } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTarget, openLocalTarget } from "../src/target/local.js";
import { runCli, startCli } from "./support/cli.js";
import { runningTasks } from "./support/endpoint.js";

let dir: string;
let clip: string;
let sourceTimes: number[];
/**
 * Against the one pass, a trimmed run with context keeps every frame above this (measured: 44.9
 * dB; without context a cut's frames fall to about 22 dB), and a crossfade of tmix's history-less
 * context frames takes a cut's worst frame below it (measured: 39.9 dB).
 */
const MIN_PSNR = 42;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-overlap-"));
  clip = join(dir, "clip.mp4");
  await generateTestVideo({ output: clip, seconds: 4, width: 320, height: 180, fps: 25 });
  sourceTimes = await readFrameTimes(clip);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Frame times relative to the first, to compare an output's timeline with the source's. */
const relative = (times: readonly number[]) => times.map((t) => t - (times[0] ?? 0));

/** The processor params the run's record holds (numbers, booleans and the processor's name). */
async function recordedParams(manifest: string) {
  const { records } = await readManifest(manifest);
  const started = records.find((r) => r.type === "run.started");
  return started?.type === "run.started" ? started.options?.params : undefined;
}

/** The worker's own ffmpeg-scale over the whole clip in one pass, losslessly: what a perfect run gives. */
function onePass(temporal: "tmix" | undefined): Promise<string> {
  const name = temporal ?? "plain";
  passes[name] ??= (async () => {
    const output = join(dir, `one-pass-${name}.mp4`);
    const options = ffmpegScaleParams.parse({ scale: 2, lossless: true, preset: "ultrafast", temporal });
    await runFfmpeg(ffmpegScaleArgs(clip, output, options, await probe(clip)));
    return output;
  })();
  return passes[name];
}
const passes: Record<string, Promise<string>> = {};

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** Per-frame PSNR of `output` against one pass with the temporal filter and one without. */
async function closeness(output: string, temporal: "tmix") {
  const [filtered, plain] = await Promise.all([onePass(temporal), onePass(undefined)]);
  return {
    filtered: (await compareFrames(output, filtered)).psnr,
    plain: (await compareFrames(output, plain)).psnr,
  };
}

describe("ecs-fanout run with context frames and a temporal filter", () => {
  it("--overlap-frames 4 --temporal tmix --lossless gives exactly the source's frames, each at its time", async () => {
    const out = join(dir, "overlap.mp4");
    const args = ["run", clip, "--out", out, "--tasks", "2", "--segment-seconds", "1", "--local"];
    args.push("--overlap-frames", "4", "--temporal", "tmix", "--lossless", "--keep-temp");
    const run = await runCli(args, { home: dir, timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/segments\s+4\/4 succeeded/);

    // The tasks encoded losslessly: the run's record says so (it keeps no other strings than the processor's name).
    expect(await recordedParams(`${out}.run.jsonl`)).toMatchObject({
      processor: "ffmpeg-scale",
      lossless: true,
    });

    // Each segment carried its context: 25 frames of its own, 4 more on each inner side.
    const work = join(dir, ".overlap.mp4.ecs-fanout", "segments");
    const files = (await readdir(work)).filter((f) => f.endsWith(".mp4")).sort();
    const frames = await Promise.all(files.map(async (f) => (await readFrameTimes(join(work, f))).length));
    expect(frames).toEqual([29, 33, 33, 29]);

    // The join dropped the context again: the source's frame count and timeline, ×2.
    const times = await readFrameTimes(out);
    expect(times).toHaveLength(sourceTimes.length);
    const src = relative(sourceTimes);
    for (const [k, at] of relative(times).entries()) expect(Math.abs(at - src[k]!)).toBeLessThan(0.5 / 25);
    const info = await probe(out);
    expect([info.width, info.height]).toEqual([640, 360]);

    // The tasks ran tmix, and with the context every frame, a segment's first ones included, is
    // that of tmix over the whole clip in one pass (up to the join's one lossy encode).
    const psnr = await closeness(out, "tmix");
    console.log(
      `overlap 4, tmix: PSNR vs one pass min ${Math.min(...psnr.filtered).toFixed(2)} dB, median ${median(psnr.filtered).toFixed(2)} dB; vs no filter median ${median(psnr.plain).toFixed(2)} dB`,
    );
    expect(median(psnr.filtered)).toBeGreaterThan(median(psnr.plain) + 3);
    expect(Math.min(...psnr.filtered)).toBeGreaterThan(MIN_PSNR);
  }, 180_000);

  it("--overlap-join crossfade blends each overlap and still gives exactly the source's frames", async () => {
    const out = join(dir, "crossfade.mp4");
    const args = ["run", clip, "--out", out, "--tasks", "2", "--segment-seconds", "1", "--local"];
    args.push("--overlap-frames", "4", "--overlap-join", "crossfade", "--temporal", "tmix", "--lossless");
    const run = await runCli(args, { home: dir, timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/segments\s+4\/4 succeeded/);
    expect(await readFrameTimes(out)).toHaveLength(sourceTimes.length);
    // tmix looks only backwards, so a segment's first context frames lack their history: blending
    // them in (where trimming drops them) shows at the cuts. That is the crossfade at work.
    const psnr = await closeness(out, "tmix");
    console.log(
      `overlap 4, crossfade, tmix: PSNR vs one pass min ${Math.min(...psnr.filtered).toFixed(2)} dB, median ${median(psnr.filtered).toFixed(2)} dB`,
    );
    expect(median(psnr.filtered)).toBeGreaterThan(median(psnr.plain) + 3);
    expect(Math.min(...psnr.filtered)).toBeLessThan(MIN_PSNR);
  }, 180_000);
});

describe("ecs-fanout run --processor seedvr2 with context frames (the local GPU stand-in)", () => {
  it("hands SeedVR2 its temporal overlap and batch, crossfades the context and keeps every frame", async () => {
    const out = join(dir, "seedvr2.mp4");
    const args = ["run", clip, "--out", out, "--tasks", "2", "--segment-seconds", "1", "--local"];
    args.push("--processor", "seedvr2", "--overlap-frames", "4", "--overlap-join", "crossfade");
    // Files of 33 frames (29 at the ends): one 4n+1 batch each.
    args.push("--temporal-overlap", "4", "--params", '{"batchSize":33}');
    const run = await runCli(args, { home: dir, timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/stand-in/);
    expect(await recordedParams(`${out}.run.jsonl`)).toEqual({
      processor: "seedvr2",
      temporalOverlap: 4,
      batchSize: 33,
      resolution: 360,
    });
    expect(await readFrameTimes(out)).toHaveLength(sourceTimes.length);
    const info = await probe(out);
    expect([info.width, info.height]).toEqual([640, 360]);
  }, 180_000);
});

describe("ecs-fanout run's liveness flags, against a local endpoint of the test's own", () => {
  let target: LocalTarget;
  let env: Record<string, string>;
  const cluster = "cli-liveness";

  beforeAll(async () => {
    target = await openLocalTarget({ cluster });
    const creds = target.local.clientConfig.credentials;
    env = {
      AWS_ENDPOINT_URL: target.local.endpoint,
      AWS_REGION: target.local.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    };
  });
  afterAll(async () => {
    await target?.close();
  });

  const onTarget = ["--cluster", cluster, "--subnets", "subnet-0a11ed0000000001a"];

  it("refuses --liveness-failures 0 with the core's rule, naming the flag, and launches no task", async () => {
    const out = join(dir, "never.mp4");
    const run = await runCli(["run", clip, "--out", out, ...onTarget, "--liveness-failures", "0"], {
      home: dir,
      env,
    });
    expect(run.stderr).toBe(
      'ecs-fanout: invalid run options (1 problem):\n  - --liveness-failures: expected an integer from 1 to 100, got "0"\n',
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const ecs = target.clients!.ecs!;
    for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
      const listed = await ecs.send(new ListTasksCommand({ cluster, desiredStatus }));
      expect(listed.taskArns ?? [], desiredStatus).toEqual([]);
    }
  }, 60_000);

  // Retried: on a loaded machine the task frozen from outside can be one that just ran out of work,
  // and it is then stopped as idle before its checks fail (a race of the test's set-up).
  it("gives up on a frozen worker after --liveness-failures checks, replaces it and finishes the run", {
    retry: 2,
    timeout: 180_000,
  }, async () => {
    const long = join(dir, "long.mp4");
    // Enough segments that the run outlasts the checks even when the frozen task was between two.
    await generateTestVideo({ output: long, seconds: 16, width: 320, height: 180 });
    // A fresh name per try: a retry must not meet the earlier try's output and work dir.
    const out = join(dir, `frozen-${Date.now()}.mp4`);
    const args = ["run", long, "--out", out, "--tasks", "2", "--segment-seconds", "1", ...onTarget];
    args.push("--liveness-interval", "200", "--liveness-timeout", "300", "--liveness-failures", "2");
    const { child, done } = startCli(args, { home: dir, env, timeoutMs: 170_000 });
    let stderr = "";
    // Freeze a task once it serves: a segment has gone up to a worker.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no segment was uploaded:\n${stderr}`)), 90_000);
      child.stderr?.on("data", (d: string) => {
        stderr += d;
        if (/uploaded/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const [frozen] = await runningTasks(target.clients!.ecs!, cluster);
    expect(frozen).toBeDefined();
    target.local.freezeTask(frozen!);
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/segments\s+16\/16 succeeded/);
    // The core's reason counts the checks: 2, as the flag said, not the default 3.
    const { records } = await readManifest(`${out}.run.jsonl`);
    const stopped = records.find((r) => r.type === "task.stopped" && r.taskArn === frozen);
    expect(stopped?.type === "task.stopped" && stopped.lostBecause).toMatch(
      /worker stopped answering: 2 health checks in a row failed/,
    );
    const launched = records.filter((r) => r.type === "task.launched");
    expect(launched.some((r) => r.type === "task.launched" && r.replacementFor === frozen)).toBe(true);
    expect(await runningTasks(target.clients!.ecs!, cluster)).toEqual([]);
  });
});
