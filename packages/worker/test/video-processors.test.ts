import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateTestVideo, probe, splitVideo, verifySegmentFrames } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, fetch, killAll, putJob, type SpawnedWorker, spawnWorker, waitForJob } from "./helpers.js";

/**
 * Stand-ins for the GPU tools: they record their argv and write a video the way the real
 * tool would (video only: the worker must put the audio back), scaled with ffmpeg.
 */
const REALESRGAN_STANDIN = `
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const argv = process.argv.slice(2);
fs.writeFileSync(process.env.RECORD_DIR + "/realesrgan-argv.json", JSON.stringify(argv));
fs.writeFileSync(process.env.RECORD_DIR + "/realesrgan-env.json", JSON.stringify(Object.keys(process.env)));
const arg = (flag) => argv[argv.indexOf(flag) + 1];
if (arg("-t") === "13") {
  console.error("Traceback (most recent call last):");
  console.error("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB");
  process.exit(1);
}
const input = arg("-i"), outDir = arg("-o"), scale = Number(arg("-s"));
fs.mkdirSync(outDir, { recursive: true });
process.stderr.write("inference:  50%|#####     | 25/50 [00:01<00:01]\\r");
const out = path.join(outDir, path.parse(input).name + "_" + arg("--suffix") + ".mp4");
execFileSync("ffmpeg", ["-v", "error", "-y", "-i", input, "-an", "-vf", "scale=iw*" + scale + ":ih*" + scale,
  "-c:v", "libx264", "-preset", "ultrafast", out]);
process.stderr.write("inference: 100%|##########| 50/50 [00:02<00:00]\\n");
`;

const SEEDVR2_STANDIN = `
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const argv = process.argv.slice(2);
fs.writeFileSync(process.env.RECORD_DIR + "/seedvr2-argv.json", JSON.stringify(argv));
const arg = (flag) => argv[argv.indexOf(flag) + 1];
execFileSync("ffmpeg", ["-v", "error", "-y", "-i", argv[0], "-an", "-vf", "scale=-2:" + arg("--resolution"),
  "-c:v", "mpeg4", "-q:v", "3", arg("--output")]);
`;

describe("video processors", () => {
  let dir: string;
  let clip: Buffer;
  let worker: SpawnedWorker;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "fanout-worker-video-"));
    await generateTestVideo({ output: path.join(dir, "clip.mp4"), seconds: 2, width: 320, height: 180 });
    clip = await readFile(path.join(dir, "clip.mp4"));
    await writeFile(path.join(dir, "realesrgan.cjs"), REALESRGAN_STANDIN);
    await writeFile(path.join(dir, "seedvr2.cjs"), SEEDVR2_STANDIN);
    worker = await spawnWorker({
      FANOUT_REALESRGAN_BIN: `'${process.execPath}' '${path.join(dir, "realesrgan.cjs")}'`,
      FANOUT_SEEDVR2_CMD: `'${process.execPath}' '${path.join(dir, "seedvr2.cjs")}'`,
      FANOUT_MODEL_DIR: "/models",
      RECORD_DIR: dir,
    });
  });
  afterAll(async () => {
    await killAll();
    await rm(dir, { recursive: true, force: true });
  });

  async function download(jobId: string): Promise<string> {
    const res = await fetch(`${worker.url}/v1/jobs/${jobId}/output`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    const file = path.join(dir, `${jobId}.mp4`);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    return file;
  }

  it("ffmpeg-scale doubles a 320×180 clip to 640×360, same duration within a frame, audio kept", async () => {
    const res = await putJob(worker.url, "scale-2x", clip);
    expect(res.status).toBe(202);
    const done = await waitForJob(worker.url, "scale-2x", 60_000);
    expect(done).toMatchObject({ status: "succeeded", processor: "ffmpeg-scale" });
    const source = await probe(path.join(dir, "clip.mp4"));
    const out = await probe(await download("scale-2x"));
    expect([out.width, out.height]).toEqual([640, 360]);
    expect(out.videoCodec).toBe("h264");
    expect(out.hasAudio).toBe(true);
    expect(out.frames).toBe(source.frames);
    expect(Math.abs(out.durationSeconds - source.durationSeconds)).toBeLessThanOrEqual(1 / source.fps);
    const progress = worker.logs.filter((e) => e.event === "job.progress" && e.jobId === "scale-2x");
    expect(progress.length).toBeGreaterThan(0);
  });

  it("ffmpeg-scale scales to a target height, keeping the width even", async () => {
    await putJob(worker.url, "to-540", clip, { height: 540, preset: "ultrafast", crf: 30 });
    expect(await waitForJob(worker.url, "to-540", 60_000)).toMatchObject({ status: "succeeded" });
    const out = await probe(await download("to-540"));
    expect([out.width, out.height]).toEqual([960, 540]);
  });

  it("fails a non-video upload with ffmpeg's reason, and the next job still succeeds", async () => {
    await putJob(
      worker.url,
      "not-a-video",
      Buffer.from("this is not a video at all, just text\n".repeat(100)),
    );
    const failed = await waitForJob(worker.url, "not-a-video");
    expect(failed.status).toBe("failed");
    const error = failed.error as { code: string; message: string };
    expect(error.code).toBe("PROBE_FAILED");
    expect(error.message).toMatch(/Invalid data found when processing input/);
    expect(error.message.length).toBeLessThan(1_100);

    await putJob(worker.url, "truncated-video", clip.subarray(0, 2_000));
    const truncated = await waitForJob(worker.url, "truncated-video");
    expect(truncated.status).toBe("failed");
    expect(["PROBE_FAILED", "FFMPEG_FAILED"]).toContain((truncated.error as { code: string }).code);
    // The job's error says what went wrong, not where the worker keeps its files.
    const message = (truncated.error as { message: string }).message;
    expect(message).not.toContain(worker.workDir);
    expect(message).not.toMatch(/\/jobs\//);

    await putJob(worker.url, "after-bad", clip, { scale: 2, preset: "ultrafast" });
    expect(await waitForJob(worker.url, "after-bad", 60_000)).toMatchObject({ status: "succeeded" });
  });

  it("realesrgan runs the tool's exact command line and re-muxes the source audio", async () => {
    await putJob(worker.url, "esrgan", clip, { processor: "realesrgan", scale: 2 });
    const done = await waitForJob(worker.url, "esrgan", 60_000);
    expect(done).toMatchObject({ status: "succeeded", processor: "realesrgan" });
    const argv = JSON.parse(await readFile(path.join(dir, "realesrgan-argv.json"), "utf8")) as string[];
    const jobDir = path.join(worker.workDir, "jobs", "esrgan");
    expect(argv).toEqual([
      "-i",
      path.join(jobDir, "input.mp4"),
      "-o",
      path.join(jobDir, "scratch", "realesrgan"),
      "-n",
      "RealESRGAN_x4plus",
      "-s",
      "2",
      "--suffix",
      "out",
      "-t",
      "256",
      "--tile_pad",
      "10",
      "--pre_pad",
      "0",
    ]);
    const out = await probe(await download("esrgan"));
    expect([out.width, out.height]).toEqual([640, 360]);
    expect(out.hasAudio).toBe(true);
    expect(out.audioCodec).toBe("aac");
    // The tool ran without the token hash or the TLS material in its environment.
    const env = JSON.parse(await readFile(path.join(dir, "realesrgan-env.json"), "utf8")) as string[];
    expect(env).toContain("RECORD_DIR");
    expect(env.filter((name) => /^FANOUT_(TOKEN|TLS)/.test(name))).toEqual([]);
    expect(
      worker.logs.some((e) => e.event === "job.progress" && e.jobId === "esrgan" && e.progress === 0.4),
    ).toBe(true);
  });

  it("realesrgan's re-muxed output lasts as long as its input (a Matroska audio copy added an AAC frame)", async () => {
    await putJob(worker.url, "esrgan-duration", clip, { processor: "realesrgan", scale: 2 });
    expect(await waitForJob(worker.url, "esrgan-duration", 60_000)).toMatchObject({ status: "succeeded" });
    const source = await probe(path.join(dir, "clip.mp4"));
    const out = await probe(await download("esrgan-duration"));
    const halfFrame = 0.5 / source.fps;
    expect(Math.abs(out.durationSeconds - source.durationSeconds)).toBeLessThanOrEqual(halfFrame);
    expect(
      Math.abs((out.audioDurationSeconds ?? 0) - (source.audioDurationSeconds ?? 0)),
    ).toBeLessThanOrEqual(halfFrame);
  });

  it("realesrgan on cpu uses the cpu settings (small tiles, fp32)", async () => {
    await putJob(worker.url, "esrgan-cpu", clip, { processor: "realesrgan", device: "cpu", scale: 2 });
    expect(await waitForJob(worker.url, "esrgan-cpu", 60_000)).toMatchObject({ status: "succeeded" });
    const argv = JSON.parse(await readFile(path.join(dir, "realesrgan-argv.json"), "utf8")) as string[];
    expect(argv.slice(10)).toEqual(["-t", "128", "--tile_pad", "5", "--pre_pad", "0", "--fp32"]);
  });

  it("a failing tool fails only its job, with the tool's last lines", async () => {
    await putJob(worker.url, "oom", clip, { processor: "realesrgan", tile: 13 });
    const failed = await waitForJob(worker.url, "oom", 60_000);
    expect(failed).toMatchObject({ status: "failed", error: { code: "TOOL_FAILED" } });
    expect((failed.error as { message: string }).message).toMatch(
      /realesrgan exited with code 1: .*CUDA out of memory/,
    );
    const health = await fetch(`${worker.url}/v1/health`);
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("seedvr2 runs inference_cli.py with every seed parameter and re-muxes the audio it drops", async () => {
    await putJob(worker.url, "seed", clip, {
      processor: "seedvr2",
      model: "3b",
      resolution: 360,
      seed: 7,
      colorCorrection: "wavelet",
      batchSize: 33,
      attentionMode: "sageattn_2",
      vaeEncodeTiled: true,
      vaeDecodeTiled: true,
      vaeDecodeTileSize: 512,
      temporalOverlap: 3,
    });
    const done = await waitForJob(worker.url, "seed", 60_000);
    expect(done).toMatchObject({ status: "succeeded", processor: "seedvr2" });
    const argv = JSON.parse(await readFile(path.join(dir, "seedvr2-argv.json"), "utf8")) as string[];
    const jobDir = path.join(worker.workDir, "jobs", "seed");
    expect(argv).toEqual([
      path.join(jobDir, "input.mp4"),
      "--output",
      path.join(jobDir, "scratch", "seedvr2.mp4"),
      "--output_format",
      "mp4",
      "--model_dir",
      "/models",
      "--dit_model",
      "seedvr2_ema_3b_fp16.safetensors",
      "--resolution",
      "360",
      "--batch_size",
      "33",
      "--seed",
      "7",
      "--color_correction",
      "wavelet",
      "--attention_mode",
      "sageattn_2",
      "--temporal_overlap",
      "3",
      "--vae_encode_tiled",
      "--vae_decode_tiled",
      "--vae_decode_tile_size",
      "512",
    ]);
    const source = await probe(path.join(dir, "clip.mp4"));
    const out = await probe(await download("seed"));
    expect([out.width, out.height]).toEqual([640, 360]);
    expect(out.hasAudio).toBe(true);
    expect(Math.abs((out.audioDurationSeconds ?? 0) - (source.audioDurationSeconds ?? 0))).toBeLessThan(0.05);
  });

  it("seedvr2 gets a segment's context frames whole, with its temporal overlap and 4n+1 batch, and gives back every frame at its time", async () => {
    // 25 own frames and 4 of context: a 29-frame file (4·7+1), one SeedVR2 batch.
    const segments = await splitVideo(path.join(dir, "clip.mp4"), {
      outputDir: path.join(dir, "seed-segments"),
      segmentSeconds: 1,
      overlapFrames: 4,
    });
    const segment = segments[1];
    if (segment === undefined) throw new Error("expected two segments");
    expect([segment.contextBefore, segment.frames, segment.contextAfter]).toEqual([4, 25, 0]);
    await putJob(worker.url, "seed-context", await readFile(segment.path), {
      processor: "seedvr2",
      resolution: 180,
      batchSize: 29,
      temporalOverlap: 4,
    });
    expect(await waitForJob(worker.url, "seed-context", 60_000)).toMatchObject({ status: "succeeded" });
    const argv = JSON.parse(await readFile(path.join(dir, "seedvr2-argv.json"), "utf8")) as string[];
    const value = (flag: string) => argv[argv.indexOf(flag) + 1];
    expect([value("--batch_size"), value("--temporal_overlap")]).toEqual(["29", "4"]);
    expect(argv).not.toContain("--uniform_batch_size");
    await verifySegmentFrames(await download("seed-context"), {
      index: 1,
      frames: 29,
      fps: segment.fpsFraction,
    });
  });

  it.each([
    [{ batchSize: 29, temporalOverlap: 29 }, "temporalOverlap: expected less than batchSize 29, got 29"],
    [{ batchSize: 1, temporalOverlap: 1 }, "temporalOverlap: expected less than batchSize 1, got 1"],
    [{ batchSize: 31 }, "batchSize: expected 4n+1 (1, 5, 9, …, 129), got 31"],
  ])("seedvr2 refuses %j: the overlap must fit in a 4n+1 batch", async (params, problem) => {
    const res = await putJob(worker.url, `seed-refused-${params.batchSize}`, clip, {
      processor: "seedvr2",
      ...params,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { problems: string[] } };
    expect(body.error.problems).toEqual([problem]);
  });

  it("seedvr2 refuses a batch size that is not 4n+1, with every other problem too", async () => {
    const res = await putJob(worker.url, "seed-bad", clip, {
      processor: "seedvr2",
      model: "2b",
      batchSize: 32,
      attentionMode: "fast",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { problems: string[] } };
    expect(body.error.problems).toEqual([
      'model: expected one of "3b", "7b", got "2b"',
      "batchSize: expected 4n+1 (1, 5, 9, …, 129), got 32",
      'attentionMode: expected one of "sdpa", "flash_attn", "flash_attn_2", "flash_attn_3", "sageattn_2", "sageattn_3", got "fast"',
    ]);
  });
});
