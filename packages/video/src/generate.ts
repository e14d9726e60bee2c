import path from "node:path";
import { z } from "zod";
import { runFfmpeg } from "./run.js";
import { abortSignal, checkOptions, filePath } from "./schema.js";

/** An even pixel count: H.264 in yuv420p halves both sizes for chroma. */
const evenSize = z
  .number()
  .int()
  .positive()
  .multipleOf(2)
  .describe("an even integer > 0 (H.264 yuv420p needs even sizes)");

/** Options of {@link generateTestVideo}. */
export const generateTestVideoOptionsSchema = z.strictObject({
  /** File to write; the extension picks the container. */
  output: filePath,
  /** Length of the clip, in seconds. */
  seconds: z.number().positive(),
  /** Even, for yuv420p. */
  width: evenSize,
  /** Even, for yuv420p. */
  height: evenSize,
  /** @default 25 */
  fps: z.number().positive().default(25),
  /**
   * Add a 440 Hz sine track (AAC, 48 kHz).
   * @default true
   */
  audio: z.boolean().default(true),
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
});
/** Options of {@link generateTestVideo}. */
export type GenerateTestVideoOptions = z.input<typeof generateTestVideoOptionsSchema>;

/**
 * Writes a synthetic clip (lavfi testsrc2, plus a sine tone): H.264 yuv420p and AAC, for tests,
 * the demo and the examples. Needs no input file.
 *
 * @throws {@link VideoOptionsError} listing every invalid option; {@link FfmpegError}.
 */
export async function generateTestVideo(options: GenerateTestVideoOptions): Promise<void> {
  const opts = checkOptions("generateTestVideo", generateTestVideoOptionsSchema, options);
  const { seconds, width, height, fps, audio } = opts;
  const args = [
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
  ];
  if (audio) args.push("-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`);
  args.push("-map", "0:v", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p");
  if (audio) args.push("-map", "1:a", "-c:a", "aac", "-b:a", "128k");
  if (/\.(mp4|m4v|mov)$/i.test(opts.output)) args.push("-movflags", "+faststart");
  args.push(path.resolve(opts.output));
  await runFfmpeg(args, { signal: opts.signal, durationSeconds: seconds });
}
