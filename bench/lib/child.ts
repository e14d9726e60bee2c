import { spawn } from "node:child_process";
import { repoRoot } from "./paths.js";

/** Runs a TypeScript script of the bench as its own Node process and returns its last JSON line. */
export async function runTsChild<T>(script: string, args: string[], signal?: AbortSignal): Promise<T> {
  const child = spawn(
    process.execPath,
    ["--conditions=ecs-fanout-source", "--import", "tsx", script, ...args],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      ...(signal ? { signal } : {}),
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  const lastLine = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !lastLine.startsWith("{")) {
    throw new Error(`${script} exited ${code}: ${stderr.trim().split("\n").slice(-8).join("\n")}`);
  }
  return JSON.parse(lastLine) as T;
}
