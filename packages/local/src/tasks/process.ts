import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { SUPERVISOR_SOURCE } from "./supervisor.js";

export interface ProcessSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | undefined;
  onLine(stream: "stdout" | "stderr", line: string): void;
  /** Called once: the exit code (128+n for signal n), or a spawn error, and a stop reason if the supervisor gave one. */
  onExit(result: ProcessExit): void;
  /** Another supervisor speaking the same protocol (the container runtime's) and its spec. */
  supervisor?: { source: string; spec: unknown };
}

export interface ProcessExit {
  exitCode: number;
  spawnError?: string;
  /** Why it ended, as ECS words a container's `reason` (e.g. an out-of-memory kill). */
  reason?: string;
}

export interface TaskProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<void>;
  alive(): boolean;
  term(): void;
  kill(): void;
  /** SIGSTOP the task's processes: alive, but answering nothing (a hung host, a frozen VM). */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
}

function lines(stream: Readable, onLine: (line: string) => void): void {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split(/\r?\n/);
    partial = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  });
  stream.on("end", () => {
    if (partial) onLine(partial);
    partial = "";
  });
}

/** Start a task process under a supervisor (see supervisor.ts for why). */
export function startProcess(spec: ProcessSpec): TaskProcess {
  const child = spawn(process.execPath, ["-e", spec.supervisor?.source ?? SUPERVISOR_SOURCE], {
    env: {
      ECS_FANOUT_LOCAL_SPEC: JSON.stringify(
        spec.supervisor?.spec ?? {
          command: spec.command,
          args: spec.args,
          env: spec.env,
          cwd: spec.cwd,
          orphanGraceMs: 2000,
        },
      ),
      PATH: process.env["PATH"] ?? "",
    },
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  let spawnError: string | undefined;
  let reason: string | undefined;
  let done = false;
  const control = child.stdio[3] as Readable | null;
  if (control) {
    lines(control, (line) => {
      if (line.startsWith("error ")) spawnError = line.slice(6);
      if (line.startsWith("reason ")) reason = line.slice(7);
    });
  }
  if (child.stdout) lines(child.stdout, (line) => spec.onLine("stdout", line));
  if (child.stderr) lines(child.stderr, (line) => spec.onLine("stderr", line));
  child.stdin?.on("error", () => {});
  const exited = new Promise<void>((resolve) => {
    child.on("close", (code, signal) => {
      if (done) return resolve();
      done = true;
      const exitCode = code ?? (signal === "SIGKILL" ? 137 : 143);
      spec.onExit({
        exitCode,
        ...(spawnError !== undefined ? { spawnError } : {}),
        ...(reason !== undefined ? { reason } : {}),
      });
      resolve();
    });
  });
  const write = (cmd: string) => {
    if (!done && child.stdin?.writable) child.stdin.write(`${cmd}\n`);
  };
  return {
    pid: child.pid,
    exited,
    alive: () => !done,
    term: () => write("TERM"),
    freeze: () => write("STOP"),
    thaw: () => write("CONT"),
    kill: () => {
      write("KILL");
      // If the supervisor itself hangs, make sure it goes too.
      setTimeout(() => {
        if (!done) child.kill("SIGKILL");
      }, 1000).unref();
    },
  };
}
