import { spawn } from "node:child_process";

/** How long an aborted child gets after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;
const TAIL_LINES = 40;
/**
 * What a child may print on stdout when it is collected. ffprobe and ffmpeg print a line or two
 * per packet of media nobody vetted; a file built to print without end must not fill the heap.
 * Far above any real video's packet listing (a 2-hour 60 fps stream's is about 30 MB).
 */
export const MAX_STDOUT_BYTES = 256 * 1024 * 1024;
/** Lines that say nothing about why a run failed. */
const NOISE = /^(Conversion failed!|Exiting normally.*)$/;

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string[];
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  spawnError?: Error;
  /** Set when stdout outgrew `maxStdoutBytes`: the child was killed and stdout is incomplete. */
  stdoutOverflow?: number;
}

export interface RunProcessOptions {
  cwd?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Receives stdout as it arrives; when set, stdout is not also collected. */
  onStdout?: ((chunk: string) => void) | undefined;
  onSpawn?: ((pid: number) => void) | undefined;
  /** Collected stdout beyond this kills the child (default {@link MAX_STDOUT_BYTES}). */
  maxStdoutBytes?: number | undefined;
}

/**
 * Runs a command without a shell and keeps the last stderr lines. Resolves once the child has
 * exited, whatever the outcome; rejects only with `signal.reason` when the signal aborted the run
 * (after the child is gone, so callers never leave a process behind).
 */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions = {}) {
  const { signal } = options;
  return new Promise<ProcessResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      shell: false,
      windowsHide: true,
    });
    const tail = new LineTail(TAIL_LINES);
    let stdout = "";
    let stdoutBytes = 0;
    let overflow = false;
    const maxStdout = options.maxStdoutBytes ?? MAX_STDOUT_BYTES;
    let spawnError: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (options.onStdout) options.onStdout(chunk);
      else if (!overflow) {
        stdoutBytes += Buffer.byteLength(chunk);
        if (stdoutBytes > maxStdout) {
          overflow = true;
          stdout = "";
          child.kill("SIGKILL");
        } else stdout += chunk;
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => tail.push(chunk));

    const onAbort = () => {
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.once("spawn", () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
    });
    child.once("error", (error) => {
      spawnError = error;
    });
    // "close" comes after "exit" and after stdio has drained, and also after a spawn "error".
    child.once("close", (exitCode, exitSignal) => {
      signal?.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      resolve({
        exitCode,
        signal: exitSignal,
        stdout,
        stderrTail: tail.lines(),
        ...(spawnError ? { spawnError } : {}),
        ...(overflow ? { stdoutOverflow: maxStdout } : {}),
      });
    });
  });
}

/** Keeps the last N complete lines of a stream (plus a trailing partial line). */
class LineTail {
  #lines: string[] = [];
  #partial = "";

  constructor(private readonly max: number) {}

  push(chunk: string): void {
    const parts = (this.#partial + chunk).split(/\r?\n|\r/);
    this.#partial = parts.pop() ?? "";
    for (const line of parts) {
      if (line.trim() === "") continue;
      this.#lines.push(line);
      if (this.#lines.length > this.max) this.#lines.shift();
    }
  }

  lines(): string[] {
    const all = this.#partial.trim() === "" ? [...this.#lines] : [...this.#lines, this.#partial];
    return all.slice(-this.max);
  }
}

/** A short, useful message: how it ended plus the last few meaningful stderr lines. */
export function summarize(
  name: string,
  command: string,
  result: {
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    stderrTail: string[];
    spawnError?: Error;
    stdoutOverflow?: number;
  },
): string {
  if (result.spawnError) return `could not start ${name} (${command}): ${result.spawnError.message}`;
  if (result.stdoutOverflow !== undefined)
    return `${name} printed more than ${result.stdoutOverflow} bytes on stdout and was stopped`;
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  const lines = result.stderrTail.filter((line) => !NOISE.test(line.trim())).slice(-3);
  return lines.length > 0 ? `${name} ${how}: ${lines.map((l) => l.trim()).join(" | ")}` : `${name} ${how}`;
}
