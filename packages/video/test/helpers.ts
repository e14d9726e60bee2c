import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/** A fresh temp directory, removed after the file's tests. */
export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `ecs-fanout-video-${label}-`));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** MD5 of the encoded packets of one stream: equal hashes mean the stream was copied untouched. */
export function streamMd5(file: string, stream: "v:0" | "a:0"): string {
  return execFileSync(
    "ffmpeg",
    ["-v", "error", "-i", file, "-map", `0:${stream}`, "-c", "copy", "-f", "md5", "-"],
    { encoding: "utf8" },
  ).trim();
}

/** Decoded frame count, counted by ffprobe (independent of the code under test). */
export function countFrames(file: string): number {
  const out = execFileSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=nb_read_frames",
      "-of",
      "csv=p=0",
      file,
    ],
    { encoding: "utf8" },
  );
  return Number(out.trim());
}

/** MD5 of every decoded frame of the first video stream, in order (ffmpeg's framemd5 muxer). */
export function frameHashes(file: string): string[] {
  const out = execFileSync("ffmpeg", ["-v", "error", "-i", file, "-map", "0:v:0", "-f", "framemd5", "-"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(",").at(-1)?.trim() ?? "");
}

/** Average luma of every decoded frame (ffmpeg's signalstats filter). */
export function lumaAverages(file: string): number[] {
  const out = execFileSync(
    "ffprobe",
    [
      ...[
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        `movie=${file.replaceAll("\\", "\\\\").replaceAll(":", "\\:")},signalstats`,
      ],
      ...["-show_entries", "frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0"],
    ],
    { encoding: "utf8" },
  );
  return out
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(Number);
}
