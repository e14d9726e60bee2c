import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const CLI_BIN = fileURLToPath(new URL("../../src/bin.ts", import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `ecs-fanout` bin from source as its own process, the way a user runs it. HOME points
 * at an empty directory and the AWS variables are cleared unless given, so nothing reaches AWS.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; home: string },
): Promise<CliRun> {
  return startCli(args, options).done;
}

/** {@link runCli}, with the process at hand (to kill it mid-run). */
export function startCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; home: string },
): { child: ChildProcess; done: Promise<CliRun> } {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("AWS_") && k !== "CI") env[k] = v;
  }
  Object.assign(env, { HOME: options.home, NO_COLOR: "1" }, options.env);
  const child = spawn(
    process.execPath,
    ["--conditions=ecs-fanout-source", "--import", "tsx", CLI_BIN, ...args],
    {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}
