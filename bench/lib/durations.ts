import { seededRandom } from "./random.js";

export interface HeavyTailOptions {
  /** How many durations to draw. */
  count: number;
  /** Seed of the generator: same seed, same durations. */
  seed: number;
  /** Mean of the distribution before clamping, in milliseconds. */
  meanMs: number;
  /**
   * Pareto shape α (> 1). Smaller is heavier: at 2 the variance is already infinite, which is the
   * point — real segment times (scene complexity, GPU contention) have a long right tail.
   * @default 2.2
   */
  alpha?: number;
  /** Upper clamp as a multiple of the mean, so one draw cannot dwarf the whole run. @default 8 */
  maxFactor?: number;
}

/**
 * Heavy-tailed (Pareto) segment durations in whole milliseconds, seeded.
 * Pareto(xm, α) has mean α·xm/(α−1), so xm is chosen to hit `meanMs`.
 */
export function heavyTailedDurations(options: HeavyTailOptions): number[] {
  const alpha = options.alpha ?? 2.2;
  const maxFactor = options.maxFactor ?? 8;
  const xm = (options.meanMs * (alpha - 1)) / alpha;
  const random = seededRandom(options.seed);
  const durations: number[] = [];
  for (let i = 0; i < options.count; i++) {
    // 1 - random() lies in (0, 1], so the power never divides by zero.
    const draw = xm / (1 - random()) ** (1 / alpha);
    durations.push(Math.round(Math.min(draw, options.meanMs * maxFactor)));
  }
  return durations;
}

export function describeDurations(durations: readonly number[]): {
  count: number;
  totalMs: number;
  meanMs: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
} {
  const sorted = [...durations].sort((a, b) => a - b);
  const totalMs = sorted.reduce((sum, d) => sum + d, 0);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    count: sorted.length,
    totalMs,
    meanMs: sorted.length === 0 ? 0 : totalMs / sorted.length,
    medianMs: at(0.5),
    p90Ms: at(0.9),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}
