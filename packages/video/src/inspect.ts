import { findFfmpeg } from "./find.js";
import { sortedTimes } from "./frames.js";
import { ffprobeJson, toVideoInfo, type VideoInfo } from "./probe.js";
import { refuseUnsafeMedia } from "./untrusted.js";

/** What {@link inspectVideo} reads of a file. */
export interface Inspection {
  /** What {@link probe} reads. */
  info: VideoInfo;
  /** What {@link readFrameTimes} reads: every frame's presentation time, in display order. */
  times: number[];
}

/**
 * {@link probe} and {@link readFrameTimes} in one ffprobe run: the split needs both of its source
 * and the join both of every output, and most of an ffprobe run is its start-up, so one run per
 * file instead of two halves the cost. Demuxes only, through the same whitelists.
 *
 * @throws {@link ProbeError} (or {@link MediaRefusedError}) as {@link probe} does.
 */
export async function inspectVideo(file: string, signal?: AbortSignal): Promise<Inspection> {
  await refuseUnsafeMedia(file);
  const { ffprobe } = await findFfmpeg();
  const entries = ["-show_format", "-show_streams", "-show_entries", "packet=stream_index,pts_time"];
  const raw = await ffprobeJson(ffprobe, file, entries, signal);
  const info = await toVideoInfo(file, raw);
  const video = raw.streams?.find((s) => s.codec_type === "video")?.index;
  const packets = (raw.packets ?? []).filter((p) => p.stream_index === video);
  return {
    info,
    times: sortedTimes(
      file,
      packets.map((p) => p.pts_time),
    ),
  };
}
