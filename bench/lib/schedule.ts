/**
 * Pure scheduling arithmetic: the lower bound a perfect scheduler cannot beat, the static
 * contiguous split the Python predecessor uses, and simulations of both policies. The real
 * benchmark measures the dynamic queue on the real stack; these formulas turn measured times
 * into ratios and give the static baseline when it is simulated.
 */

export interface LowerBoundInput {
  /** Work time of every segment, ms. */
  durationsMs: readonly number[];
  /** Start-up of every task (launch → ready for its first segment), ms. */
  startupsMs: readonly number[];
}

export interface LowerBound {
  /** The bound itself: max of the two terms below. */
  ms: number;
  /** Longest segment + the shortest start-up: that segment must wait for some task to start. */
  longestPlusStartupMs: number;
  /** Total work / tasks + mean start-up: every task must start, and the work must be shared. */
  sharePlusMeanStartupMs: number;
}

/**
 * max(longest segment + start-up, total work / tasks + mean start-up).
 * Both terms are true bounds: task i finishes no earlier than startup_i + work_i, and summing
 * over tasks gives tasks·makespan ≥ Σ startup + Σ work.
 */
export function lowerBound({ durationsMs, startupsMs }: LowerBoundInput): LowerBound {
  if (startupsMs.length === 0) throw new RangeError("lowerBound: expected at least one task, got 0");
  const total = durationsMs.reduce((sum, d) => sum + d, 0);
  const longest = durationsMs.reduce((max, d) => Math.max(max, d), 0);
  const minStartup = Math.min(...startupsMs);
  const meanStartup = startupsMs.reduce((sum, s) => sum + s, 0) / startupsMs.length;
  const longestPlusStartupMs = longest + minStartup;
  const sharePlusMeanStartupMs = total / startupsMs.length + meanStartup;
  return {
    ms: Math.max(longestPlusStartupMs, sharePlusMeanStartupMs),
    longestPlusStartupMs,
    sharePlusMeanStartupMs,
  };
}

/**
 * The predecessor's assignment: chunks of ⌈n / tasks⌉ consecutive segments, one chunk per task,
 * fixed before anything runs (scenes_per_batch). Returns segment indexes per task.
 */
export function staticContiguousSplit(count: number, tasks: number): number[][] {
  const perTask = Math.ceil(count / tasks);
  const chunks: number[][] = [];
  for (let start = 0; start < count; start += perTask) {
    const chunk: number[] = [];
    for (let i = start; i < Math.min(count, start + perTask); i++) chunk.push(i);
    chunks.push(chunk);
  }
  return chunks;
}

/** Makespan of a fixed assignment: each task starts after its start-up and runs its chunk in order. */
export function simulateStatic(
  durationsMs: readonly number[],
  startupsMs: readonly number[],
  perSegmentOverheadMs = 0,
): number {
  const chunks = staticContiguousSplit(durationsMs.length, startupsMs.length);
  let makespan = 0;
  chunks.forEach((chunk, task) => {
    const work = chunk.reduce((sum, i) => sum + (durationsMs[i] ?? 0) + perSegmentOverheadMs, 0);
    makespan = Math.max(makespan, (startupsMs[task] ?? 0) + work);
  });
  return makespan;
}

/** Makespan of a shared queue in submission order: the first free task takes the next segment. */
export function simulateDynamic(
  durationsMs: readonly number[],
  startupsMs: readonly number[],
  perSegmentOverheadMs = 0,
): number {
  const freeAt = [...startupsMs];
  for (const duration of durationsMs) {
    let task = 0;
    for (let t = 1; t < freeAt.length; t++) if ((freeAt[t] ?? 0) < (freeAt[task] ?? 0)) task = t;
    freeAt[task] = (freeAt[task] ?? 0) + duration + perSegmentOverheadMs;
  }
  return Math.max(...freeAt);
}
