import { randomUUID } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { probe, type VideoInfo } from "./probe.js";
import { runFfmpeg } from "./run.js";
import type { VideoSegment } from "./segment.js";
import type { splitVideoOptionsSchema } from "./split.js";
import { untrustedInputArgs } from "./untrusted.js";

type Options = z.output<typeof splitVideoOptionsSchema>;

/**
 * "copy" mode: the segment muxer with stream copy, cutting at the first keyframe at or after each
 * boundary. Nothing is encoded; segment lengths follow the source's keyframes.
 */
export async function splitCopy(
  input: string,
  info: VideoInfo,
  outputDir: string,
  opts: Options,
): Promise<VideoSegment[]> {
  const listFile = path.join(outputDir, `.${opts.prefix}list-${randomUUID()}.csv`);
  // The segment muxer reads the output name as a printf pattern: a literal % must be doubled.
  const pattern = path.join(outputDir.replaceAll("%", "%%"), `${opts.prefix.replaceAll("%", "%%")}%05d.mp4`);
  const args = [
    ...["-y", ...untrustedInputArgs(input), "-map", "0:v:0", "-an", "-sn", "-dn", "-c:v", "copy"],
    ...["-f", "segment", "-segment_time", String(opts.segmentSeconds), "-reset_timestamps", "1"],
    // B-frames start the stream at a negative DTS; left to the segment muxer that shifts every
    // time (and the list) by the delay. Disabled here, each mp4 segment handles it with an edit list.
    ...["-avoid_negative_ts", "disabled"],
    ...["-segment_format", "mp4", "-segment_list", listFile, "-segment_list_type", "csv"],
    pattern,
  ];
  try {
    await runFfmpeg(args, {
      signal: opts.signal,
      onProgress: opts.onProgress,
      durationSeconds: info.durationSeconds,
    });
    const listed = parseSegmentList(await readFile(listFile, "utf8"), outputDir);
    const segments: VideoSegment[] = [];
    let startFrame = 0;
    for (const s of listed) {
      const frames = (await probe(s.path, { signal: opts.signal })).frames;
      segments.push({
        ...s,
        startFrame,
        frames,
        contextBefore: 0,
        contextAfter: 0,
        fpsFraction: info.fpsFraction,
      });
      startFrame += frames;
    }
    return segments;
  } finally {
    await rm(listFile, { force: true });
  }
}

/** Parses the segment muxer's CSV list: `name,start,end` per line (name quoted when needed). */
export function parseSegmentList(
  csv: string,
  dir: string,
): Array<Pick<VideoSegment, "index" | "path" | "startSeconds" | "durationSeconds">> {
  const segments: Array<Pick<VideoSegment, "index" | "path" | "startSeconds" | "durationSeconds">> = [];
  for (const line of csv.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const endComma = line.lastIndexOf(",");
    const startComma = line.lastIndexOf(",", endComma - 1);
    let name = line.slice(0, startComma);
    if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replaceAll('""', '"');
    const start = Number(line.slice(startComma + 1, endComma));
    const end = Number(line.slice(endComma + 1));
    segments.push({
      index: segments.length,
      path: path.resolve(dir, path.basename(name)),
      startSeconds: start,
      durationSeconds: end - start,
    });
  }
  return segments;
}
