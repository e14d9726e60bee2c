/**
 * Media is untrusted: an upload named .mp4 may be an HLS playlist, a DASH manifest or a concat
 * list pointing at other local files, an image, or a tiny file claiming hours of video. Each
 * fails as a clear job error while the worker goes on serving; ffmpeg and ffprobe never see
 * the worker's secrets.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateTestVideo } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegScaleArgs, INPUT_FORMATS } from "../src/index.js";
import { sniffContainer } from "../src/media/container.js";
import { killAll, putJob, type SpawnedWorker, spawnWorker, waitForJob } from "./helpers.js";

let dir: string;
let clip: Buffer;
let other: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fanout-worker-media-"));
  await generateTestVideo({ output: path.join(dir, "clip.mp4"), seconds: 2, width: 160, height: 90 });
  clip = await readFile(path.join(dir, "clip.mp4"));
  // Another local video a playlist could point at: an MPEG-TS segment, as HLS uses.
  other = path.join(dir, "other.ts");
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    path.join(dir, "clip.mp4"),
    "-c",
    "copy",
    "-f",
    "mpegts",
    other,
  ]);
});
afterAll(async () => {
  await killAll();
  await rm(dir, { recursive: true, force: true });
});

const params = { preset: "ultrafast", crf: 35 } as const;

describe("playlists and other formats dressed as .mp4", () => {
  let w: SpawnedWorker;
  beforeAll(async () => {
    w = await spawnWorker();
  });

  const cases: Array<[string, () => string | Buffer, RegExp]> = [
    [
      "an HLS playlist pointing at a local file",
      () =>
        `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://${other}\n#EXT-X-ENDLIST\n`,
      /got an HLS playlist/,
    ],
    [
      "a DASH manifest",
      () =>
        `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet><Representation id="1" bandwidth="1"><BaseURL>file://${other}</BaseURL></Representation></AdaptationSet></Period></MPD>\n`,
      /got a DASH manifest/,
    ],
    ["a concat list", () => `ffconcat version 1.0\nfile '${other}'\n`, /got a concat list/],
    ["an MPEG-TS stream", () => execFileSync("cat", [other]), /got an MPEG-TS stream/],
    [
      "a PNG image",
      () =>
        execFileSync("ffmpeg", [
          "-v",
          "error",
          "-f",
          "lavfi",
          "-i",
          "color=red:s=16x16",
          "-frames:v",
          "1",
          "-f",
          "image2pipe",
          "-c:v",
          "png",
          "-",
        ]),
      /got a PNG image/,
    ],
  ];

  it.each(cases)(
    "%s fails as UNSUPPORTED_MEDIA, and the worker goes on serving",
    async (name, body, message) => {
      const id = name.replace(/\W+/g, "-");
      expect((await putJob(w.url, id, body(), params)).status).toBe(202);
      const failed = await waitForJob(w.url, id);
      expect(failed).toMatchObject({ status: "failed", error: { code: "UNSUPPORTED_MEDIA" } });
      const error = failed.error as { message: string };
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(dir);
      expect(error.message).not.toContain(w.workDir);
    },
  );

  it("a real MP4 still succeeds after them", async () => {
    await putJob(w.url, "real", clip, params);
    expect(await waitForJob(w.url, "real", 60_000)).toMatchObject({ status: "succeeded" });
  });

  it("bytes no format recognizes fail as PROBE_FAILED, without a host path", async () => {
    await putJob(w.url, "garbage", Buffer.alloc(5000, 7), params);
    const failed = await waitForJob(w.url, "garbage");
    expect(failed).toMatchObject({ status: "failed", error: { code: "PROBE_FAILED" } });
    expect((failed.error as { message: string }).message).not.toContain(w.workDir);
  });
});

describe("every ffmpeg call on an input is restricted", () => {
  it("ffmpeg-scale reads its input with local files only and the MP4/MOV/Matroska demuxers", () => {
    const args = ffmpegScaleArgs(
      "in.mp4",
      "out.mp4",
      { scale: 2, crf: 18, preset: "veryfast", audio: "auto", lossless: false },
      {
        hasAudio: false,
        audioCodec: null,
      },
    );
    const input = args.indexOf("-i");
    expect(args.slice(input - 4, input)).toEqual([
      "-protocol_whitelist",
      "file",
      "-format_whitelist",
      INPUT_FORMATS,
    ]);
    expect(INPUT_FORMATS).toBe("mov,mp4,m4a,3gp,3g2,mj2,matroska,webm");
  });

  it.each([
    ["ftyp", Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypisom")]), "mp4"],
    ["EBML", Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x01]), "matroska"],
    ["#EXTM3U after a byte-order mark", Buffer.from("\uFEFF#EXTM3U\n"), "other"],
  ])("a file starting with %s sniffs as %s", (_, head, kind) => {
    expect(sniffContainer(head).kind).toBe(kind);
  });
});

describe("per-job caps", () => {
  it.each([
    [
      { FANOUT_MAX_PIXELS_PER_FRAME: "10000" },
      "MEDIA_TOO_LARGE",
      /expected at most 10000 pixels per frame.*got 160×90 = 14400/,
    ],
    [
      { FANOUT_MAX_DURATION_SECONDS: "1" },
      "MEDIA_TOO_LONG",
      /expected at most 1 s \(FANOUT_MAX_DURATION_SECONDS\)/,
    ],
    [
      { FANOUT_MAX_FRAMES: "10" },
      "MEDIA_TOO_LONG",
      /expected at most 10 frames \(FANOUT_MAX_FRAMES\), got 50/,
    ],
  ])("%j fails the job as %s", async (env, code, message) => {
    const w = await spawnWorker(env);
    await putJob(w.url, "capped", clip, params);
    const failed = await waitForJob(w.url, "capped");
    expect(failed).toMatchObject({ status: "failed", error: { code } });
    expect((failed.error as { message: string }).message).toMatch(message);
    await w.kill();
  });

  it("a job running past FANOUT_MAX_JOB_SECONDS fails as JOB_TIMEOUT, and the next job runs", async () => {
    const w = await spawnWorker({ FANOUT_MAX_JOB_SECONDS: "1" });
    await putJob(w.url, "forever", "x", { processor: "synthetic", ms: 60_000 });
    const failed = await waitForJob(w.url, "forever");
    expect(failed).toMatchObject({ status: "failed", error: { code: "JOB_TIMEOUT" } });
    expect((failed.error as { message: string }).message).toMatch(/FANOUT_MAX_JOB_SECONDS \(1 s\)/);
    await putJob(w.url, "quick", "x", { processor: "synthetic", bytes: 3 });
    expect(await waitForJob(w.url, "quick")).toMatchObject({ status: "succeeded" });
    await w.kill();
  });
});

describe("child processes", () => {
  it("ffmpeg and ffprobe run without the token hash or the TLS material in their environment", async () => {
    const record = path.join(dir, "env");
    await rm(record, { recursive: true, force: true });
    await (await import("node:fs/promises")).mkdir(record);
    const wrapper = async (tool: string) => {
      const real = execFileSync("sh", ["-c", `command -v ${tool}`])
        .toString()
        .trim();
      const file = path.join(dir, `${tool}-wrapper.sh`);
      await writeFile(file, `#!/bin/sh\nenv > "${record}/${tool}.$$"\nexec "${real}" "$@"\n`);
      await chmod(file, 0o755);
      return file;
    };
    const w = await spawnWorker({
      FFMPEG_PATH: await wrapper("ffmpeg"),
      FFPROBE_PATH: await wrapper("ffprobe"),
    });
    await putJob(w.url, "env", clip, params);
    expect(await waitForJob(w.url, "env", 60_000)).toMatchObject({ status: "succeeded" });
    const files = await readdir(record);
    expect(files.some((f) => f.startsWith("ffmpeg."))).toBe(true);
    expect(files.some((f) => f.startsWith("ffprobe."))).toBe(true);
    for (const file of files) {
      const env = await readFile(path.join(record, file), "utf8");
      expect(env).toContain("FANOUT_WORK_DIR=");
      expect(env).not.toMatch(/^FANOUT_(TOKEN|TLS)/m);
    }
    await w.kill();
  });
});
