import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BatchRunOptions } from "ecs-fanout";
import { repoRoot } from "../../bench/lib/paths.js";

const script = fileURLToPath(new URL("../fault-matrix/fixtures/orchestrator.ts", import.meta.url));
const tsconfig = fileURLToPath(new URL("../tsconfig.json", import.meta.url));

export interface ChildRun {
  child: ChildProcess;
  /** Every JSON line printed so far. */
  lines: Array<{ type: string; [key: string]: unknown }>;
  /** Resolves when a line matching `predicate` has been printed (rejects if the child exits first). */
  waitFor(
    predicate: (line: { type: string; [key: string]: unknown }) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Runs executeParallelBatches in its own Node process (options must be plain JSON). */
export function spawnOrchestrator(
  options: Omit<BatchRunOptions, "onEvent" | "signal" | "logger" | "clients">,
): ChildRun {
  const child = spawn(process.execPath, ["--conditions=ecs-fanout-source", "--import", "tsx", script], {
    cwd: repoRoot,
    env: { ...process.env, FANOUT_CHILD_OPTIONS: JSON.stringify(options), TSX_TSCONFIG_PATH: tsconfig },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: ChildRun["lines"] = [];
  const waiters: Array<() => void> = [];
  let buffer = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith("{")) lines.push(JSON.parse(line));
      for (const wake of waiters.splice(0)) wake();
      newline = buffer.indexOf("\n");
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-8000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!lines.some(predicate)) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`orchestrator exited (${child.exitCode ?? child.signalCode}) first:\n${stderr}`);
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for the orchestrator:\n${stderr}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}
