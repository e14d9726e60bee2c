import { stat } from "node:fs/promises";
import type { RunOptions } from "../options/run.js";
import type { PlannedSegment } from "../options/segments.js";

/**
 * Each segment's weight: the caller's hint, else the input file's size; segments with neither
 * (URL inputs, unreadable files) get the mean of the known weights so they sort in the middle
 * (0 when no weight is known: every segment ties and the given order stands).
 */
export async function resolveWeights(segments: readonly PlannedSegment[]): Promise<number[]> {
  const known = await Promise.all(
    segments.map(async (s) => {
      if (s.weight !== undefined) return s.weight;
      if (!("path" in s.input)) return undefined;
      // A missing file fails its upload later with a clear error; for ordering it is just unknown.
      return stat(s.input.path).then(
        (st) => st.size,
        () => undefined,
      );
    }),
  );
  return fillUnknown(known);
}

/** Unknown weights become the mean of the known ones (pure). */
export function fillUnknown(weights: readonly (number | undefined)[]): number[] {
  const known = weights.filter((w): w is number => w !== undefined);
  const mean = known.length === 0 ? 0 : known.reduce((sum, w) => sum + w, 0) / known.length;
  return weights.map((w) => w ?? mean);
}

/** Indexes of the segments in the order the queue hands them out (pure; equal weights keep the given order). */
export function queueOrder(weights: readonly number[], order: RunOptions["order"]): number[] {
  const indexes = weights.map((_, i) => i);
  if (order === "as-given") return indexes;
  return indexes.sort((a, b) => (weights[b] as number) - (weights[a] as number) || a - b);
}
