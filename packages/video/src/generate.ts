import path from "node:path";
import { runFfmpeg } from "./run.js";
import { Problems } from "./validate.js";

/** Options of {@link generateTestVideo}. */
export interface GenerateTestVideoOptions {
  /** File to write; the extension picks the container. */
  output: string;
  /** Length of the clip. */
  seconds: number;
  /** Even, for yuv420p. */
  width: number;
  /** Even, for yuv420p. */
  height: number;
  /** @default 25 */
  fps?: number;
  /** Add a 440 Hz sine track (AAC, 48 kHz). @default true */
  audio?: boolean;
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Writes a synthetic clip (lavfi testsrc2, plus a sine tone): H.264 yuv420p and AAC, for tests,
 * the demo and the examples. Needs no input file.
 *
 * @throws {@link VideoOptionsError} listing every invalid option; {@link FfmpegError}.
 */
export async function generateTestVideo(options: GenerateTestVideoOptions): Promise<void> {
  const fps = options.fps ?? 25;
  const audio = options.audio ?? true;
  const problems = new Problems("generateTestVideo");
  problems.nonEmptyString("output", options.output);
  problems.positiveNumber("seconds", options.seconds);
  problems.evenPositiveInteger("width", options.width);
  problems.evenPositiveInteger("height", options.height);
  problems.positiveNumber("fps", fps);
  if (typeof audio !== "boolean") problems.add("audio", "a boolean", audio);
  problems.throwIfAny();

  const { seconds, width, height } = options;
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
  if (/\.(mp4|m4v|mov)$/i.test(options.output)) args.push("-movflags", "+faststart");
  args.push(path.resolve(options.output));
  await runFfmpeg(args, { signal: options.signal, durationSeconds: seconds });
}
