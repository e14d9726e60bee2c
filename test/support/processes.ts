/**
 * Finds processes a test started, by a marker in their environment: every task definition of a
 * matrix row carries ECS_FANOUT_TEST_MARKER=<uuid>, so leftovers are found even after re-parenting
 * (an orchestrator killed with SIGKILL leaves its children to init).
 */
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export const MARKER_ENV = "ECS_FANOUT_TEST_MARKER";

/** PIDs of live processes whose environment holds ECS_FANOUT_TEST_MARKER=<marker>. */
export async function pidsWithMarker(marker: string): Promise<number[]> {
  const needle = `${MARKER_ENV}=${marker}`;
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return pidsWithMarkerFromPs(needle);
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, "latin1");
      const stat = await readFile(`/proc/${entry}/stat`, "latin1");
      // A zombie (state Z) is dead; its parent just has not reaped it yet.
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && environ.split("\0").includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** macOS and other systems without /proc: `ps eww` prints each process's environment. */
async function pidsWithMarkerFromPs(needle: string): Promise<number[]> {
  const { stdout } = await execFileAsync("ps", ["eww", "-ax", "-o", "pid=,command="], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .split("\n")
    .filter((line) => line.includes(needle))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

/** Polls until `check` returns true or `timeoutMs` passes; returns the last value of `check`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, stepMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
