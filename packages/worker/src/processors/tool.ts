import { spawn } from "node:child_process";
import { childEnvironment } from "../config.js";
import { ToolError } from "../errors.js";

const TAIL_LINES = 20;
const KILL_GRACE_MS = 5_000;

export interface RunToolOptions {
  /** Name used in errors and logs, e.g. "seedvr2". */
  tool: string;
  argv: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with 0..1 when the tool prints a tqdm-style progress bar. */
  onProgress?(fraction: number): void;
}

/**
 * Parses tqdm-like progress ("inference:  45%|████▌ | 68/150 [00:13<…]") from a line of
 * tool output. Python tools (Real-ESRGAN, SeedVR2) print exactly this on stderr.
 */
export function parseToolProgress(line: string): number | undefined {
  const counted = /(\d+)\/(\d+) \[/.exec(line);
  if (counted) {
    const done = Number(counted[1]);
    const total = Number(counted[2]);
    if (total > 0) return Math.min(1, done / total);
  }
  const percent = /(\d{1,3})%\|/.exec(line);
  if (percent) return Math.min(1, Number(percent[1]) / 100);
  return undefined;
}

/** Runs an external tool without a shell; rejects with ToolError carrying its last output lines. */
export function runTool(options: RunToolOptions): Promise<{ outputTail: string[] }> {
  const [command, ...args] = options.argv;
  if (!command) return Promise.reject(new Error(`${options.tool}: empty command`));
  options.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnvironment(options.env ?? process.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail: string[] = [];
    const partial = { stdout: "", stderr: "" };
    const onData = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      // tqdm redraws with \r; treat it as a line break so progress is seen as it happens.
      const pieces = (partial[stream] + chunk.toString("utf8")).split(/\r\n|\r|\n/);
      partial[stream] = pieces.pop() ?? "";
      for (const piece of pieces) take(piece);
    };
    const take = (line: string) => {
      const trimmed = line.trim();
      if (!trimmed) return;
      const progress = parseToolProgress(trimmed);
      if (progress !== undefined) options.onProgress?.(progress);
      else {
        tail.push(trimmed.length > 400 ? `${trimmed.slice(0, 400)}…` : trimmed);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    };
    child.stdout.on("data", onData("stdout"));
    child.stderr.on("data", onData("stderr"));

    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      options.signal?.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
    };

    child.on("error", (error) => {
      cleanup();
      reject(
        new ToolError({
          tool: options.tool,
          command: options.argv,
          exitCode: null,
          signal: null,
          outputTail: [`could not start ${command}: ${error.message}`],
          cause: error,
        }),
      );
    });
    child.on("close", (exitCode, signal) => {
      cleanup();
      take(partial.stdout);
      take(partial.stderr);
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (exitCode === 0) return resolve({ outputTail: tail });
      reject(
        new ToolError({ tool: options.tool, command: options.argv, exitCode, signal, outputTail: tail }),
      );
    });
  });
}
