import path from "node:path";
import { z } from "zod";
import { checkSegmentsMatch, concatProbed } from "./concat.js";
import { checkFrameTimes } from "./frames.js";
import { type Inspection, inspectVideo } from "./inspect.js";
import { crossfadeWindows, joinGraph } from "./join-graph.js";
import { PROBES_AT_ONCE, settleAll } from "./pool.js";
import { runFfmpeg } from "./run.js";
import { abortSignal, checkArgs, filePath, progressListener, X264_PRESETS } from "./schema.js";
import { fpsOf, type VideoSegment, videoSegmentSchema } from "./segment.js";
import { untrustedInputArgs } from "./untrusted.js";

/** A processed segment: the file a processor made, and the segment it was made from. */
export const segmentOutputSchema = z.strictObject({
  /** The processor's output for `segment`: its frames, context included, at the source's rate. */
  path: filePath,
  /** The segment as {@link splitVideo} returned it. */
  segment: videoSegmentSchema,
});
/** A processed segment: the file a processor made, and the segment it was made from. */
export type SegmentOutput = z.input<typeof segmentOutputSchema>;

const outputsSchema = z.array(segmentOutputSchema).min(1).describe("a non-empty array of segment outputs");

/** Options of {@link joinSegments}. */
export const joinSegmentsOptionsSchema = z.strictObject({
  /**
   * What becomes of context frames: "trim" drops them, "crossfade" blends each boundary's
   * overlap linearly from one segment into the next (for temporal models). Without context
   * frames both join by stream copy (unless `encode` is "always").
   * @default "trim"
   */
  overlap: z.enum(["trim", "crossfade"]).default("trim"),
  /**
   * When the join encodes: "auto" only when context frames make it necessary (otherwise it
   * stream-copies, so the processor's encode is the run's only one); "always" decodes and encodes
   * once with `crf` and `preset` even without context — for lossless segment outputs, whose join
   * is then the run's one lossy encode.
   * @default "auto"
   */
  encode: z.enum(["auto", "always"]).default("auto"),
  /**
   * x264 CRF of the final encode, when context frames (or `encode: "always"`) make one.
   * @default 18
   */
  crf: z.number().int().min(0).max(51).default(18),
  /**
   * x264 preset of the final encode, when context frames (or `encode: "always"`) make one.
   * @default "veryfast"
   */
  preset: z.enum(X264_PRESETS).default("veryfast"),
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
  /** Called with ffmpeg's progress reports (about twice a second), `fraction` included. */
  onProgress: progressListener.optional(),
});
/** Options of {@link joinSegments}. */
export type JoinSegmentsOptions = z.input<typeof joinSegmentsOptionsSchema>;

/**
 * Joins processed segments in the order given, after checking each one: it must hold exactly its
 * segment's frames (context included) at the source's frame rate, or the join throws
 * {@link FrameMismatchError} for it and writes nothing. Segments without context frames are
 * joined by stream copy, so the processor's encode stays the only one (unless `encode` is
 * "always"); with context frames the join drops (or crossfades) them and encodes once, with
 * `crf` and `preset`.
 *
 * @throws {@link VideoOptionsError}; {@link ProbeError}; {@link SegmentMismatchError} when outputs
 * differ in codec, size, frame rate or pixel format; {@link FrameMismatchError}; {@link FfmpegError}.
 */
export async function joinSegments(
  outputs: readonly SegmentOutput[],
  output: string,
  options: JoinSegmentsOptions = {},
): Promise<void> {
  const [parts, , opts] = checkArgs("joinSegments", [
    { name: "outputs", schema: outputsSchema, value: outputs },
    { name: "output", schema: filePath, value: output },
    { name: "", schema: joinSegmentsOptionsSchema, value: options },
  ] as const);
  const { signal } = opts;
  // One ffprobe per output reads both its frames and its facts, several outputs at once.
  const inspected = await settleAll(parts, PROBES_AT_ONCE, (part) => inspectVideo(part.path, signal));
  signal?.throwIfAborted();
  // Checked in the outputs' order, frames first: a dropped or shifted frame is the more precise
  // report than a changed frame rate.
  const infos = parts.map(({ path: file, segment }, i) => {
    const result = inspected[i] as PromiseSettledResult<Inspection>;
    if (result.status === "rejected") throw result.reason;
    const frames = segment.contextBefore + segment.frames + segment.contextAfter;
    checkFrameTimes(file, segment.index, result.value.times, frames, fpsOf(segment.fpsFraction));
    return result.value.info;
  });
  const files = parts.map((p) => p.path);
  checkSegmentsMatch(files, infos);
  const segments = parts.map((p) => p.segment);
  const noContext = segments.every((s) => s.contextBefore === 0 && s.contextAfter === 0);
  if (noContext && opts.encode === "auto") {
    await concatProbed(files, infos, output, { signal, onProgress: opts.onProgress });
    return;
  }
  await encodeJoin(files, segments, output, opts);
}

async function encodeJoin(
  files: readonly string[],
  segments: readonly VideoSegment[],
  output: string,
  opts: z.output<typeof joinSegmentsOptionsSchema>,
): Promise<void> {
  const fpsFraction = segments[0]?.fpsFraction ?? "25/1";
  const windows =
    opts.overlap === "crossfade" ? crossfadeWindows(segments) : segments.map(() => ({ a: 0, b: 0 }));
  const graph = joinGraph(segments, windows, fpsFraction);
  const args = ["-y"];
  for (const file of files) args.push(...untrustedInputArgs(file));
  args.push("-filter_complex", graph, "-map", "[joined]", "-fps_mode", "passthrough", "-r", fpsFraction);
  args.push("-c:v", "libx264", "-preset", opts.preset, "-crf", String(opts.crf), "-pix_fmt", "yuv420p");
  if (/\.(mp4|m4v|mov)$/i.test(output)) args.push("-movflags", "+faststart");
  args.push(path.resolve(output));
  const frames = segments.reduce((sum, s) => sum + s.frames, 0);
  await runFfmpeg(args, {
    signal: opts.signal,
    onProgress: opts.onProgress,
    durationSeconds: frames / fpsOf(fpsFraction),
  });
}
