import { z } from "zod";
import { FfmpegError } from "./errors.js";
import { findFfmpeg } from "./find.js";
import { runProcess, summarize } from "./process.js";
import { ProgressParser } from "./progress.js";
import { abortSignal, callback, checkArgs, filePath, progressListener } from "./schema.js";

/** Options of {@link runFfmpeg}. */
export const runFfmpegOptionsSchema = z.strictObject({
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
  /** Called with ffmpeg's progress reports (about twice a second), `fraction` included. */
  onProgress: progressListener.optional(),
  /** Expected output duration; when known, progress reports carry `fraction`. */
  durationSeconds: z.number().positive().optional(),
  /**
   * The ffmpeg executable.
   * @default the one findFfmpeg() finds
   */
  ffmpegPath: filePath.optional(),
  /**
   * Working directory of ffmpeg.
   * @default process.cwd()
   */
  cwd: filePath.optional(),
  /**
   * How often ffmpeg reports progress (`-stats_period`), in seconds.
   * @default 0.5 (ffmpeg's own default, left to ffmpeg)
   */
  progressIntervalSeconds: z.number().positive().optional(),
  /** Called with the child's pid once it has started. */
  onSpawn: callback<(pid: number) => void>().optional(),
});
/** Options of {@link runFfmpeg}. */
export type RunFfmpegOptions = z.input<typeof runFfmpegOptionsSchema>;

/** ffmpeg's arguments: each one a separate string, never a shell line. */
const argsSchema = z.array(z.string()).describe("an array of strings");

/** What a successful ffmpeg run leaves behind. */
export interface RunFfmpegResult {
  /** ffmpeg's last stderr lines (warnings worth logging). */
  stderrTail: string[];
}

/**
 * Runs ffmpeg with `args` (spawned directly, never through a shell). Adds `-hide_banner -nostdin
 * -nostats -progress pipe:1` in front. Rejects with FfmpegError carrying the last stderr lines, or
 * with `signal.reason` after killing ffmpeg when the signal aborts.
 *
 * @throws {@link FfmpegError} when ffmpeg exits non-zero or dies by a signal;
 * {@link FfmpegNotFoundError} when no ffmpeg is found.
 */
export async function runFfmpeg(args: string[], options: RunFfmpegOptions = {}): Promise<RunFfmpegResult> {
  checkArgs("runFfmpeg", [
    { name: "args", schema: argsSchema, value: args },
    { name: "", schema: runFfmpegOptionsSchema, value: options },
  ] as const);
  options.signal?.throwIfAborted();
  const command = options.ffmpegPath ?? (await findFfmpeg()).ffmpeg;
  const fullArgs = ["-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1"];
  if (options.progressIntervalSeconds !== undefined) {
    fullArgs.push("-stats_period", String(options.progressIntervalSeconds));
  }
  fullArgs.push(...args);

  const { onProgress } = options;
  const parser = onProgress ? new ProgressParser(onProgress, options.durationSeconds) : undefined;
  const result = await runProcess(command, fullArgs, {
    cwd: options.cwd,
    signal: options.signal,
    onSpawn: options.onSpawn,
    // Progress is read even without a listener so the pipe never fills up.
    onStdout: (chunk) => parser?.push(chunk),
  });

  if (result.exitCode === 0 && result.spawnError === undefined) return { stderrTail: result.stderrTail };
  throw new FfmpegError(summarize("ffmpeg", command, result), {
    exitCode: result.exitCode,
    signal: result.signal,
    stderrTail: result.stderrTail,
    args: fullArgs,
    command,
    cause: result.spawnError,
  });
}
