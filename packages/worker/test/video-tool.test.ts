import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateTestVideo, probe } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig, ProcessorError, ToolError } from "../src/index.js";
import { runVideoTool, type VideoToolContext } from "../src/processors/video-tool.js";

/**
 * A stand-in tool, `standin.cjs <mode> <input> <output>`: "video" writes the input doubled in size
 * with no audio (as SeedVR2 does), "nothing" exits 0 without writing, "fail" dies like a CUDA OOM.
 */
const STANDIN = `
const { execFileSync } = require("node:child_process");
const [mode, input, output] = process.argv.slice(2);
if (mode === "fail") {
  console.error("Traceback (most recent call last):");
  console.error("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB");
  process.exit(1);
}
if (mode === "video") {
  process.stderr.write("inference:  50%|#####     | 1/2 [00:01<00:01]\\r");
  execFileSync("ffmpeg", ["-v", "error", "-y", "-i", input, "-an", "-vf", "scale=iw*2:ih*2",
    "-c:v", "libx264", "-preset", "ultrafast", output]);
}
`;

describe("runVideoTool", () => {
  let dir: string;
  let standin: string;
  let withAudio: string;
  let silent: string;
  let jobs = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "fanout-video-tool-"));
    standin = path.join(dir, "standin.cjs");
    await writeFile(standin, STANDIN);
    withAudio = path.join(dir, "with-audio.mp4");
    silent = path.join(dir, "silent.mp4");
    await generateTestVideo({ output: withAudio, seconds: 1, width: 160, height: 90 });
    await generateTestVideo({ output: silent, seconds: 1, width: 160, height: 90, audio: false });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh job folder, and a run of the stand-in in `mode` on `input`. */
  async function job(mode: "video" | "nothing" | "fail", input: string) {
    const jobDir = path.join(dir, `job-${++jobs}`);
    await mkdir(path.join(jobDir, "scratch"), { recursive: true });
    const progress: number[] = [];
    const ctx: VideoToolContext = {
      jobId: `job-${jobs}`,
      inputPath: input,
      outputPath: path.join(jobDir, "output.mp4"),
      scratchDir: path.join(jobDir, "scratch"),
      signal: new AbortController().signal,
      onProgress: (f) => progress.push(f),
      config: loadWorkerConfig({ FANOUT_INSECURE_NO_AUTH: "1", FANOUT_INSECURE_PLAIN_HTTP: "1" }),
    };
    const video = path.join(ctx.scratchDir, "tool.mp4");
    const run = () =>
      runVideoTool(ctx, { tool: "standin", argv: [process.execPath, standin, mode, input, video], video });
    return { ctx, video, progress, run };
  }

  it("puts the source audio under the tool's video, the tool's progress scaled to 95 %", async () => {
    const { ctx, progress, run } = await job("video", withAudio);
    expect(await run()).toEqual({ contentType: "video/mp4" });
    const out = await probe(ctx.outputPath);
    expect([out.width, out.height]).toEqual([320, 180]);
    expect(out.hasAudio).toBe(true);
    expect(out.audioCodec).toBe("aac");
    expect(progress).toEqual([0.475]);
  });

  it("moves the tool's video to the output as is when the source has no audio", async () => {
    const { ctx, video, run } = await job("video", silent);
    await run();
    const out = await probe(ctx.outputPath);
    expect([out.width, out.height, out.hasAudio]).toEqual([320, 180, false]);
    await expect(access(video)).rejects.toThrow();
  });

  it("fails with TOOL_FAILED and the tool's last lines when the tool fails", async () => {
    const { ctx, run } = await job("fail", withAudio);
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ code: "TOOL_FAILED", exitCode: 1 });
    expect((error as ToolError).message).toMatch(/^standin exited with code 1: .*CUDA out of memory/);
    await expect(access(ctx.outputPath)).rejects.toThrow();
  });

  it("fails with TOOL_NO_OUTPUT when the tool exits 0 without writing its video", async () => {
    const { video, run } = await job("nothing", withAudio);
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessorError);
    expect(error).toMatchObject({
      code: "TOOL_NO_OUTPUT",
      message: `standin exited 0 but wrote no ${video}`,
      processor: "standin",
      jobId: expect.stringMatching(/^job-\d+$/),
    });
  });
});
