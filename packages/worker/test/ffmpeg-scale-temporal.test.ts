import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { generateTestVideo, probe, runFfmpeg, verifySegmentFrames } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegScaleArgs, ffmpegScaleParams, loadWorkerConfig, resolveParams } from "../src/index.js";

const run = promisify(execFile);
const noAudio = { hasAudio: false, audioCodec: null };
const options = (params: Record<string, unknown>) => ffmpegScaleParams.parse(params);
/** The argv between the input mapping and the container flags: the filters and the encode. */
const videoPart = (argv: string[]) => argv.slice(argv.indexOf("-vf"), argv.indexOf("-movflags"));

describe("ffmpeg-scale's denoise, temporal filter and lossless encode (argv)", () => {
  it.each([
    [
      {},
      ["-vf", "scale=trunc(iw*2/2)*2:trunc(ih*2/2)*2:flags=lanczos"],
      ["-crf", "18", "-pix_fmt", "yuv420p"],
    ],
    [
      { temporal: "tmix" },
      ["-vf", "scale=trunc(iw*2/2)*2:trunc(ih*2/2)*2:flags=lanczos,tmix=frames=5"],
      ["-crf", "18", "-pix_fmt", "yuv420p"],
    ],
    [
      { temporal: "hqdn3d", height: 360 },
      ["-vf", "scale=-2:360:flags=lanczos,hqdn3d=luma_spatial=0:chroma_spatial=0:luma_tmp=6:chroma_tmp=6"],
      ["-crf", "18", "-pix_fmt", "yuv420p"],
    ],
    [
      { temporal: "tmix", lossless: true, preset: "ultrafast" },
      ["-vf", "scale=trunc(iw*2/2)*2:trunc(ih*2/2)*2:flags=lanczos,tmix=frames=5"],
      ["-qp", "0"],
    ],
    [
      { denoise: "nlmeans" },
      ["-vf", "scale=trunc(iw*2/2)*2:trunc(ih*2/2)*2:flags=lanczos,nlmeans=s=1:p=7:r=15"],
      ["-crf", "18", "-pix_fmt", "yuv420p"],
    ],
    [
      { denoise: "nlmeans", temporal: "tmix", lossless: true, preset: "ultrafast" },
      ["-vf", "scale=trunc(iw*2/2)*2:trunc(ih*2/2)*2:flags=lanczos,nlmeans=s=1:p=7:r=15,tmix=frames=5"],
      ["-qp", "0"],
    ],
  ])("%j filters with %j and encodes with %j", (params, filters, quality) => {
    const argv = ffmpegScaleArgs("in.mp4", "out.mp4", options(params), noAudio);
    const preset = (params as { preset?: string }).preset ?? "veryfast";
    expect(videoPart(argv)).toEqual([...filters, "-c:v", "libx264", "-preset", preset, ...quality]);
  });

  const config = loadWorkerConfig({ FANOUT_INSECURE_NO_AUTH: "1", FANOUT_INSECURE_PLAIN_HTTP: "1" });
  it.each([
    [{ temporal: "tmix,geq=r=1" }, 'temporal: expected one of "tmix", "hqdn3d", got "tmix,geq=r=1"'],
    [{ temporal: "" }, 'temporal: expected one of "tmix", "hqdn3d", got ""'],
    [{ lossless: "yes" }, 'lossless: expected true or false, got "yes"'],
    [{ denoise: "nlmeans=s=30" }, 'denoise: expected one of "nlmeans", got "nlmeans=s=30"'],
    [{ denoise: true }, 'denoise: expected one of "nlmeans", got true'],
    [{ temporalFilter: "tmix" }, 'temporalFilter: expected a known key, got "temporalFilter"'],
  ])("refuses %j, naming the key", (params, problem) => {
    const resolved = resolveParams({ processor: "ffmpeg-scale", ...params }, config);
    expect(resolved.ok).toBe(false);
    if (!resolved.ok) expect(resolved.problems.join("\n")).toContain(problem);
  });
});

describe("ffmpeg-scale's denoise and temporal filter on a real clip", () => {
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "fanout-worker-temporal-"));
    clip = path.join(dir, "clip.mp4");
    await generateTestVideo({ output: clip, seconds: 1, width: 160, height: 90, audio: false });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** The MD5 of every decoded frame (ffmpeg's framemd5 muxer), in order. */
  async function frameHashes(file: string, filter?: string): Promise<string[]> {
    const args = ["-v", "error", "-i", file, ...(filter ? ["-vf", filter] : []), "-f", "framemd5", "-"];
    const { stdout } = await run("ffmpeg", args);
    return stdout
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => line.split(",").at(-1)?.trim() ?? "");
  }

  async function scaled(name: string, params: Record<string, unknown>): Promise<string> {
    const output = path.join(dir, `${name}.mp4`);
    await runFfmpeg(ffmpegScaleArgs(clip, output, options(params), noAudio));
    return output;
  }

  it("lossless with tmix holds exactly the frames ffmpeg's own scale + tmix makes, every one of them", async () => {
    const output = await scaled("tmix-lossless", { temporal: "tmix", lossless: true, preset: "ultrafast" });
    const direct = await frameHashes(clip, "scale=iw*2:ih*2:flags=lanczos,tmix=frames=5");
    expect(direct).toHaveLength(25);
    expect(await frameHashes(output)).toEqual(direct);
    await verifySegmentFrames(output, { index: 0, frames: 25, fps: 25 });
  });

  it("the temporal filter changes every frame but the first (which has no frame before it)", async () => {
    const plain = await frameHashes(await scaled("plain-lossless", { lossless: true, preset: "ultrafast" }));
    const mixed = await frameHashes(
      await scaled("tmix-lossless-2", { temporal: "tmix", lossless: true, preset: "ultrafast" }),
    );
    expect(mixed[0]).toBe(plain[0]);
    for (let k = 1; k < 25; k++) expect(mixed[k], `frame ${k}`).not.toBe(plain[k]);
  });

  it("nlmeans denoise holds exactly the frames ffmpeg's own scale + nlmeans + tmix makes, and changes them", async () => {
    const params = { denoise: "nlmeans", temporal: "tmix", lossless: true, preset: "ultrafast" };
    const output = await scaled("nlmeans-lossless", params);
    const direct = await frameHashes(clip, "scale=iw*2:ih*2:flags=lanczos,nlmeans,tmix=frames=5");
    expect(direct).toHaveLength(25);
    expect(await frameHashes(output)).toEqual(direct);
    await verifySegmentFrames(output, { index: 0, frames: 25, fps: 25 });
    const plain = await frameHashes(
      await scaled("tmix-only", { temporal: "tmix", lossless: true, preset: "ultrafast" }),
    );
    for (let k = 0; k < 25; k++) expect(direct[k], `frame ${k}`).not.toBe(plain[k]);
  });

  it("hqdn3d keeps every frame and its time, at twice the size", async () => {
    const output = await scaled("hqdn3d", { temporal: "hqdn3d", preset: "ultrafast" });
    await verifySegmentFrames(output, { index: 0, frames: 25, fps: 25 });
    const info = await probe(output);
    expect([info.width, info.height]).toEqual([320, 180]);
  });
});
