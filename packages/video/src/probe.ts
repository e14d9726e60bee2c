import { stat } from "node:fs/promises";
import { z } from "zod";
import { MediaRefusedError, ProbeError } from "./errors.js";
import { findFfmpeg } from "./find.js";
import { runProcess, summarize } from "./process.js";
import { abortSignal, checkArgs, filePath } from "./schema.js";
import { ALLOWED_DEMUXERS, refuseUnsafeMedia, untrustedInputArgs } from "./untrusted.js";

/** What {@link probe} reads from a file: the facts splitting, scaling and verifying rely on. */
export interface VideoInfo {
  /** Container duration (the longest stream), in seconds. */
  durationSeconds: number;
  width: number;
  height: number;
  /** Average frame rate of the first video stream. */
  fps: number;
  /** Frame rate as ffprobe gives it, e.g. "30000/1001": exact, for comparisons. */
  fpsFraction: string;
  /** Frames in the first video stream (container count, else counted packets). */
  frames: number;
  videoCodec: string;
  audioCodec: string | null;
  hasAudio: boolean;
  sizeBytes: number;
  /** When the container's first stream starts, in seconds (where ffmpeg's `-ss` counts from). */
  startSeconds: number;
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
  pixelFormat: string | null;
  /** Duration of the first video stream, when the container records one. */
  videoDurationSeconds: number | null;
  /** Duration of the first audio stream, when there is one and the container records it. */
  audioDurationSeconds: number | null;
}

/** Options of {@link probe}. */
export const probeOptionsSchema = z.strictObject({
  /** Aborting kills ffprobe and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
  /**
   * The ffprobe executable.
   * @default the one findFfmpeg() finds
   */
  ffprobePath: filePath.optional(),
});
/** Options of {@link probe}. */
export type ProbeOptions = z.input<typeof probeOptionsSchema>;

/** The part of ffprobe's JSON output that is read. */
export interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  pix_fmt?: string;
}

export interface RawProbe {
  packets?: Array<{ stream_index?: number; pts_time?: string }>;
  streams?: RawStream[];
  format?: { duration?: string; format_name?: string; size?: string; start_time?: string };
}

/**
 * Reads what the rest of ecs-fanout needs to know about a video file.
 *
 * @throws {@link ProbeError} when ffprobe cannot read the file or it has no video stream.
 */
export async function probe(file: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  checkArgs("probe", [
    { name: "file", schema: filePath, value: file },
    { name: "", schema: probeOptionsSchema, value: options },
  ] as const);
  // Our own bounded read decides first: ffprobe never opens a playlist.
  await refuseUnsafeMedia(file);
  const ffprobe = options.ffprobePath ?? (await findFfmpeg()).ffprobe;
  const raw = await ffprobeJson(ffprobe, file, ["-show_format", "-show_streams"], options.signal);
  checkFormat(file, raw);
  const video = raw.streams?.find((s) => s.codec_type === "video");
  const listed = int(video?.nb_frames);
  if (video !== undefined && (listed === undefined || listed === 0)) {
    // Matroska and MPEG-TS do not store a frame count; counting packets only demuxes, never decodes.
    const counted = await ffprobeJson(
      ffprobe,
      file,
      ["-count_packets", "-select_streams", "v:0", "-show_entries", "stream=nb_read_packets"],
      options.signal,
    );
    video.nb_read_packets = counted.streams?.[0]?.nb_read_packets;
  }
  return toVideoInfo(file, raw);
}

/**
 * The {@link VideoInfo} in ffprobe's `-show_format -show_streams` JSON. The frame count is the
 * container's, else the packets ffprobe read (`nb_read_packets`).
 *
 * @throws {@link MediaRefusedError} for a demuxer outside the whitelist; {@link ProbeError} when
 * there is no video stream or it lacks size, frame rate, duration or frame count.
 */
export async function toVideoInfo(file: string, raw: RawProbe): Promise<VideoInfo> {
  const formatName = checkFormat(file, raw);
  const video = raw.streams?.find((s) => s.codec_type === "video");
  const audio = raw.streams?.find((s) => s.codec_type === "audio");
  if (!video) throw new ProbeError(file, "no video stream");

  let frames = int(video.nb_frames);
  if (frames === undefined || frames === 0) frames = int(video.nb_read_packets);

  const fpsFraction = usableRate(video.avg_frame_rate) ?? usableRate(video.r_frame_rate);
  const videoDuration = float(video.duration) ?? null;
  const duration = float(raw.format?.duration) ?? videoDuration;
  const width = video.width;
  const height = video.height;
  if (!width || !height || fpsFraction === undefined || duration === null || frames === undefined) {
    throw new ProbeError(file, "video stream lacks size, frame rate, duration or frame count");
  }
  const sizeBytes = int(raw.format?.size) ?? (await stat(file)).size;
  return {
    durationSeconds: duration,
    width,
    height,
    fps: rate(fpsFraction),
    fpsFraction,
    frames,
    videoCodec: video.codec_name ?? "unknown",
    audioCodec: audio?.codec_name ?? null,
    hasAudio: audio !== undefined,
    sizeBytes,
    startSeconds: float(raw.format?.start_time) ?? 0,
    formatName,
    pixelFormat: video.pix_fmt ?? null,
    videoDurationSeconds: videoDuration,
    audioDurationSeconds: float(audio?.duration) ?? null,
  };
}

/** The format name, refused unless it is one of {@link ALLOWED_DEMUXERS}. */
function checkFormat(file: string, raw: RawProbe): string {
  const formatName = raw.format?.format_name ?? "unknown";
  // The whitelist already holds ffprobe to these demuxers; this keeps the promise if it ever widens.
  if (!formatName.split(",").some((name) => (ALLOWED_DEMUXERS as readonly string[]).includes(name))) {
    throw new MediaRefusedError(file, "format", formatName);
  }
  return formatName;
}

/** Runs ffprobe on an untrusted file (whitelists applied) and parses its JSON output. */
export async function ffprobeJson(
  ffprobe: string,
  file: string,
  args: string[],
  signal: AbortSignal | undefined,
): Promise<RawProbe> {
  const result = await runProcess(
    ffprobe,
    ["-v", "error", "-of", "json", ...args, ...untrustedInputArgs(file)],
    {
      signal,
    },
  );
  if (result.exitCode !== 0 || result.spawnError) {
    throw new ProbeError(file, summarize("ffprobe", ffprobe, result), {
      stderrTail: result.stderrTail,
      cause: result.spawnError,
    });
  }
  try {
    return JSON.parse(result.stdout) as RawProbe;
  } catch (cause) {
    throw new ProbeError(file, "ffprobe printed invalid JSON", { cause });
  }
}

function usableRate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const r = rate(value);
  return Number.isFinite(r) && r > 0 ? value : undefined;
}

function rate(fraction: string): number {
  const [num, den = "1"] = fraction.split("/");
  return Number(num) / Number(den);
}

function int(value: string | number | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isInteger(n) && n >= 0 ? n : undefined;
}

function float(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) ? n : undefined;
}
