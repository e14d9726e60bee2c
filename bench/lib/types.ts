/** Shapes shared by every benchmark section and the report writer. */

export type SectionId =
  | "scheduling"
  | "api-economy"
  | "streaming"
  | "worker-overhead"
  | "predecessor"
  | "s3"
  | "seams"
  | "faults";

export interface Target {
  /** What is compared, e.g. "makespan / lower bound (dynamic)". */
  name: string;
  value: number;
  /** Human form of the goal, e.g. "≤ 1.10". */
  goal: string;
  met: boolean;
}

export interface SectionResult {
  id: SectionId;
  title: string;
  /** One paragraph: what was run and how, so a reader can reproduce it. */
  method: string;
  status: "measured" | "skipped" | "failed";
  /** Why it was skipped or failed. */
  reason?: string;
  /** Named numbers (and a few labels) in the order they should be shown. */
  metrics: Array<{ name: string; value: number | string; unit?: string }>;
  targets: Target[];
  notes: string[];
  /** Raw per-item data kept in the JSON only (per-segment times, per-task start-ups, …). */
  raw?: Record<string, unknown>;
  durationMs: number;
  /** 1-minute load average before and after the section: other work on the machine skews timings. */
  loadAverage?: { before: number; after: number };
  /** When the section ran (ISO 8601): with `--merge`, sections of one report can come from separate runs. */
  measuredAt?: string;
  /** The CPU it ran on: a merged report can hold sections from different machines. */
  cpu?: string;
}

export interface BenchContext {
  smoke: boolean;
  seed: number;
  /** Scratch directory for this run; removed afterwards. */
  workDir: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface BenchSection {
  id: SectionId;
  title: string;
  run(context: BenchContext): Promise<Omit<SectionResult, "id" | "title" | "durationMs">>;
}

export function target(
  name: string,
  value: number,
  goal: "<=" | ">=" | "<",
  limit: number,
  unit = "",
): Target {
  const met = goal === "<=" ? value <= limit : goal === ">=" ? value >= limit : value < limit;
  const symbol = goal === "<=" ? "≤" : goal === ">=" ? "≥" : "<";
  return { name, value, goal: `${symbol} ${limit}${unit}`, met };
}

/** Rounds for display and JSON alike: ratios to 3 places, times to whole ms. */
export function round(value: number, places = 3): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}
