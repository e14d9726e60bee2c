import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  ALLOWED_DEMUXERS,
  concatSegments,
  extractAudio,
  FfmpegError,
  generateTestVideo,
  MediaRefusedError,
  muxAudio,
  ProbeError,
  probe,
  runFfmpeg,
  splitVideo,
  untrustedInputArgs,
} from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "./helpers.js";

let dir: string;
let real: string;
let hls: string;
let dash: string;
let ffconcat: string;

beforeAll(async () => {
  dir = await tempDir("untrusted");
  real = path.join(dir, "real.mp4");
  await generateTestVideo({ output: real, seconds: 1, width: 160, height: 90 });
  // Another local video the playlists point at: what a hostile "mp4" would smuggle into an output.
  const other = path.join(dir, "other.ts");
  execFileSync("ffmpeg", [
    ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=1"],
    ...["-c:v", "libx264", "-f", "mpegts", other],
  ]);
  hls = path.join(dir, "playlist.mp4");
  await writeFile(hls, `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile://${other}\n#EXT-X-ENDLIST\n`);
  dash = path.join(dir, "manifest.mp4");
  await writeFile(
    dash,
    `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1S" ` +
      `minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period>` +
      `<AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000" width="160" height="90" codecs="avc1.64000d">` +
      `<BaseURL>file://${real}</BaseURL></Representation></AdaptationSet></Period></MPD>\n`,
  );
  ffconcat = path.join(dir, "list.mp4");
  await writeFile(ffconcat, `ffconcat version 1.0\nfile '${other}'\n`);
});

describe("media is untrusted", () => {
  test("ffprobe itself reads the playlists (so the refusal below is ours, not a broken file)", () => {
    const format = (file: string) =>
      execFileSync(
        "ffprobe",
        ["-v", "error", "-show_entries", "format=format_name", "-of", "csv=p=0", file],
        {
          encoding: "utf8",
        },
      ).trim();
    expect(format(hls)).toBe("hls");
    expect(format(dash)).toBe("dash");
  });

  test.each([
    ["an HLS playlist", () => hls, "hls"],
    ["a DASH manifest", () => dash, "dash"],
    ["an ffconcat list", () => ffconcat, "concat"],
  ])("probe refuses %s named .mp4 with a MediaRefusedError", async (_, file, kind) => {
    const error = await probe(file()).catch((e) => e);
    expect(error).toBeInstanceOf(MediaRefusedError);
    expect(error).toBeInstanceOf(ProbeError);
    expect(error).toMatchObject({ code: "PROBE_FAILED", kind, path: file() });
    expect(error.message).toMatch(/refused .* only local MP4\/MOV and Matroska\/WebM files are read/);
  });

  test.each([
    [
      "splitVideo (exact)",
      (f: string) => splitVideo(f, { outputDir: path.join(dir, "x"), segmentSeconds: 1 }),
    ],
    [
      "splitVideo (copy)",
      (f: string) => splitVideo(f, { outputDir: path.join(dir, "y"), segmentSeconds: 1, mode: "copy" }),
    ],
    ["extractAudio", (f: string) => extractAudio(f, path.join(dir, "a.m4a"))],
    ["muxAudio", (f: string) => muxAudio({ video: real, audio: f, output: path.join(dir, "m.mp4") })],
    ["concatSegments", (f: string) => concatSegments([real, f], path.join(dir, "c.mp4"))],
  ])("%s refuses an HLS playlist and a DASH manifest", async (_, call) => {
    for (const file of [hls, dash]) await expect(call(file)).rejects.toBeInstanceOf(MediaRefusedError);
  });

  test("ffmpeg given untrustedInputArgs refuses the playlist on its own, without our check", async () => {
    const error = await runFfmpeg([...untrustedInputArgs(hls), "-f", "null", "-"]).catch((e) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect(error.stderrTail.join("\n")).toContain("not on whitelist");
  });

  test("untrustedInputArgs reads a local file only, through the MP4 and Matroska demuxers", () => {
    expect(untrustedInputArgs("http:clip.mp4")).toEqual([
      ...["-protocol_whitelist", "file", "-format_whitelist", ALLOWED_DEMUXERS.join(",")],
      ...["-i", `file:${path.resolve("http:clip.mp4")}`],
    ]);
  });

  test("a real MP4 and a real Matroska file still probe and split", async () => {
    const mkv = path.join(dir, "real.mkv");
    await generateTestVideo({ output: mkv, seconds: 1, width: 160, height: 90, audio: false });
    for (const file of [real, mkv]) {
      expect((await probe(file)).frames).toBe(25);
      const parts = await splitVideo(file, {
        outputDir: path.join(dir, path.extname(file).slice(1)),
        segmentSeconds: 0.5,
      });
      expect(parts.map((p) => p.frames)).toEqual([12, 13]);
    }
  });

  test("refuses a PNG image", async () => {
    const png = path.join(dir, "frame.mp4");
    execFileSync("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=16x16",
      "-frames:v",
      "1",
      "-f",
      "image2",
      "-c:v",
      "png",
      png,
    ]);
    await expect(probe(png)).rejects.toMatchObject({ kind: "image" });
  });
});
