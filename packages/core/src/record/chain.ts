import type { Manifest } from "./read.js";
import type { ManifestRecord } from "./schema.js";

type Started = Extract<ManifestRecord, { type: "run.started" }>;

/** One run's lines in a manifest (a manifest may hold several: each resume appends its own). */
export interface RecordedRun {
  readonly runId: string;
  readonly started: Started | undefined;
  readonly records: readonly ManifestRecord[];
  /** Time of its first and last line. */
  readonly firstAt: number;
  readonly lastAt: number;
  /** It wrote `run.metrics`: it finished rather than being killed. */
  readonly finished: boolean;
}

/** The runs of a manifest in the order they started. */
export function recordedRuns(manifest: Pick<Manifest, "records">): RecordedRun[] {
  const byId = new Map<string, ManifestRecord[]>();
  for (const r of manifest.records) {
    const list = byId.get(r.runId) ?? [];
    if (list.length === 0) byId.set(r.runId, list);
    list.push(r);
  }
  return [...byId].map(([runId, records]) => ({
    runId,
    started: records.find((r): r is Started => r.type === "run.started"),
    records,
    firstAt: records[0]?.time ?? 0,
    lastAt: records.at(-1)?.time ?? 0,
    finished: records.some((r) => r.type === "run.metrics"),
  }));
}

/**
 * The last run and the runs it resumed, oldest first: what one job cost and did, across crashes.
 * A run that did not resume starts a chain of its own.
 */
export function lastChain(manifest: Pick<Manifest, "records">): RecordedRun[] {
  const runs = recordedRuns(manifest);
  const chain: RecordedRun[] = [];
  let run = runs.at(-1);
  while (run !== undefined && !chain.includes(run)) {
    chain.unshift(run);
    const from = run.started?.resumedFrom;
    run = from === undefined ? undefined : runs.find((r) => r.runId === from);
  }
  return chain;
}
