import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PlannedSegment } from "../options/segments.js";

/**
 * Removes partial downloads an earlier run left for these segments (`.<outputName>.<segment>.a<N>.part`,
 * see attemptSegment) — a run killed with SIGKILL never reaches its own clean-up. Only names of
 * this run's segments are touched, so other files in outputDir are safe. Returns what it removed.
 */
export async function removeStaleParts(
  outputDir: string,
  segments: readonly PlannedSegment[],
): Promise<string[]> {
  const prefixes = new Set(segments.map((s) => `.${s.outputName}.${s.id}.a`));
  const removed: string[] = [];
  for (const name of await readdir(outputDir).catch(() => [] as string[])) {
    const attempt = /\d+\.part$/.exec(name);
    if (attempt === null || !prefixes.has(name.slice(0, attempt.index))) continue;
    await rm(join(outputDir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
