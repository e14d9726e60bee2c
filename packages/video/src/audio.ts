import path from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { VideoOptionsError } from "./errors.js";
import { probe } from "./probe.js";
import { runFfmpeg } from "./run.js";
import { abortSignal, checkArgs, checkOptions, filePath } from "./schema.js";
import { refuseUnsafeMedia, untrustedInputArgs } from "./untrusted.js";

/**
 * Matroska outputs. ffmpeg's Matroska muxer keeps no AAC encoder delay (only Opus has CodecDelay)
 * and rounds timestamps to the millisecond, so AAC copied into one starts ~21 ms late and runs
 * one AAC frame long: a muxed result outlasts its video.
 */
const MATROSKA = /\.(mka|mkv|webm)$/i;

/** Options of {@link extractAudio}. */
export const extractAudioOptionsSchema = z.strictObject({
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
});
/** Options of {@link extractAudio}. */
export type ExtractAudioOptions = z.input<typeof extractAudioOptionsSchema>;

/**
 * Copies the first audio stream of `input` into `output` without re-encoding, so its length is
 * exactly preserved. Pick an output container that takes the codec and its timing: ".m4a" for
 * AAC (Matroska would lose AAC's encoder delay), ".mka" for codecs without one such as FLAC or
 * Opus. Resolves false, writing nothing, when the input has no audio. To put the audio back under
 * processed video, {@link muxAudio} can also read it straight from `input`.
 *
 * @throws {@link VideoOptionsError} for missing paths, or a Matroska `output` when the audio is AAC;
 * {@link ProbeError} when `input` is not a readable video; {@link FfmpegError} when ffmpeg fails.
 */
export async function extractAudio(
  input: string,
  output: string,
  options: ExtractAudioOptions = {},
): Promise<boolean> {
  checkArgs("extractAudio", [
    { name: "input", schema: filePath, value: input },
    { name: "output", schema: filePath, value: output },
    { name: "", schema: extractAudioOptionsSchema, value: options },
  ] as const);
  const info = await probe(input, { signal: options.signal });
  if (!info.hasAudio) return false;
  if (info.audioCodec === "aac" && MATROSKA.test(output)) {
    throw new VideoOptionsError("extractAudio", [
      `output: ${expectedGot("an MP4-family file (.m4a, .mp4, .mov) for AAC audio", output)} ` +
        "(Matroska drops AAC's encoder delay: the audio would start ~21 ms late and run one frame long)",
    ]);
  }
  await runFfmpeg(
    [
      "-y",
      ...untrustedInputArgs(input),
      "-map",
      "0:a:0",
      "-vn",
      "-sn",
      "-dn",
      "-c:a",
      "copy",
      path.resolve(output),
    ],
    { signal: options.signal, durationSeconds: info.durationSeconds },
  );
  return true;
}

/** Options of {@link muxAudio}. */
export const muxAudioOptionsSchema = z.strictObject({
  /** File whose first video stream is copied as is. */
  video: filePath,
  /** File whose first audio stream is used: an extracted track, or the original input itself. */
  audio: filePath,
  /** File to write; ".mp4", ".m4v" and ".mov" get `+faststart`. */
  output: filePath,
  /**
   * Audio codec; "copy" keeps the audio bit-exact. Give e.g. "aac" when the output container
   * cannot hold the source codec.
   * @default "copy"
   */
  audioCodec: z
    .string()
    .regex(/^[a-z0-9_-]+$/i)
    .describe('an ffmpeg encoder name or "copy"')
    .default("copy"),
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
});
/** Options of {@link muxAudio}. */
export type MuxAudioOptions = z.input<typeof muxAudioOptionsSchema>;

/**
 * Puts the first video stream of `video` (stream copy, untouched) together with the first audio
 * stream of `audio`. No `-shortest`: the audio keeps its full length even when the video is shorter.
 *
 * @throws {@link VideoOptionsError} for missing paths; {@link FfmpegError} when ffmpeg fails.
 */
export async function muxAudio(options: MuxAudioOptions): Promise<void> {
  const opts = checkOptions("muxAudio", muxAudioOptionsSchema, options);
  await refuseUnsafeMedia(opts.video);
  await refuseUnsafeMedia(opts.audio);
  const args = [
    ...["-y", ...untrustedInputArgs(opts.video), ...untrustedInputArgs(opts.audio)],
    ...["-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", opts.audioCodec],
  ];
  if (/\.(mp4|m4v|mov)$/i.test(opts.output)) args.push("-movflags", "+faststart");
  args.push(path.resolve(opts.output));
  await runFfmpeg(args, { signal: opts.signal });
}
