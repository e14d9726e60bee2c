import type { CostedTask, PricingOptions } from "./pricing.js";
import { taskCost } from "./pricing.js";
import type { RunMetrics } from "./result.js";

/** What the metrics need to know about one task. */
export interface MetricsTask {
  readonly launchedAt: Date;
  readonly readyAt: Date | undefined;
  readonly billedSeconds: number;
  readonly costUsd: number | undefined;
}

/** What the metrics need to know about one segment. */
export interface MetricsSegment {
  readonly succeeded: boolean;
  /** Upload + process + download ms of the successful attempt (succeeded only). */
  readonly workMs: number;
  /** Processor-busy ms summed over every attempt, failed ones included. */
  readonly processMsAllAttempts: number;
  /**
   * Upload + download ms of the successful attempt (succeeded only). With look-ahead, transfers
   * overlap other segments' processing, so the ideal counts only the smallest one per lane.
   * @default 0 (the whole of workMs counts as processing)
   */
  readonly transferMs?: number;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/**
 * Computes run metrics. Pure: every input is passed in, so each formula can be checked against
 * hand-computed examples. `representative` prices the sequential estimate as one task of the run's size.
 */
export function computeMetrics(input: {
  startedAt: Date;
  settledAt: Date;
  plannedTasks: number;
  slotsPerTask: number;
  /** Whether uploads overlapped processing (the run's `lookAhead`). @default false */
  lookAhead?: boolean;
  tasks: readonly MetricsTask[];
  segments: readonly MetricsSegment[];
  representative: CostedTask | undefined;
  pricing: PricingOptions & { region: string };
  /** What earlier runs of the same job (resumed from) took and cost; their segments are in `segments`. */
  prior?: {
    readonly runIds: readonly string[];
    readonly wallSeconds: number;
    readonly resumedSegments: number;
    readonly tasks: readonly { readonly billedSeconds: number; readonly costUsd: number | undefined }[];
  };
}): RunMetrics {
  const prior = input.prior;
  const priorTasks = prior?.tasks ?? [];
  const wallSeconds =
    (input.settledAt.getTime() - input.startedAt.getTime()) / 1000 + (prior?.wallSeconds ?? 0);
  const ready = input.tasks.filter((t) => t.readyAt !== undefined);
  const startupSeconds =
    ready.length === 0
      ? 0
      : ready.reduce((sum, t) => sum + ((t.readyAt as Date).getTime() - t.launchedAt.getTime()) / 1000, 0) /
        ready.length;
  const done = input.segments.filter((s) => s.succeeded);
  const workSeconds = done.reduce((sum, s) => sum + s.workMs, 0) / 1000;
  const longestSeconds = done.reduce((max, s) => Math.max(max, s.workMs), 0) / 1000;
  const sequentialEstimateSeconds = startupSeconds + workSeconds;
  const lanes = Math.max(1, input.plannedTasks * input.slotsPerTask);
  // A lane (one slot of one task) cannot beat its own serial part: everything without look-ahead;
  // with look-ahead only processing, plus its first upload and last download (at least the smallest).
  const successfulProcessSeconds = done.reduce((sum, s) => sum + (s.workMs - (s.transferMs ?? 0)), 0) / 1000;
  const minTransferSeconds = done.length === 0 ? 0 : Math.min(...done.map((s) => s.transferMs ?? 0)) / 1000;
  const serialSeconds =
    input.lookAhead === true ? successfulProcessSeconds + lanes * minTransferSeconds : workSeconds;
  const idealWall = startupSeconds + Math.max(serialSeconds / lanes, longestSeconds);
  const speedupFactor = ratio(sequentialEstimateSeconds, wallSeconds);
  const billedSeconds = [...input.tasks, ...priorTasks].reduce((sum, t) => sum + t.billedSeconds, 0);
  const processSeconds = input.segments.reduce((sum, s) => sum + s.processMsAllAttempts, 0) / 1000;
  const costs = [...input.tasks, ...priorTasks].map((t) => t.costUsd);
  const priorCosts = priorTasks.map((t) => t.costUsd);
  const priorCostUsd = priorCosts.some((c) => c === undefined)
    ? undefined
    : priorCosts.reduce((sum: number, c) => sum + (c as number), 0);
  const totalCostUsd = costs.some((c) => c === undefined)
    ? undefined
    : costs.reduce((sum: number, c) => sum + (c as number), 0);
  const sequentialCostUsd =
    input.representative === undefined
      ? undefined
      : taskCost(
          {
            ...input.representative,
            createdAt: new Date(0),
            pullStartedAt: undefined,
            stoppedAt: new Date(sequentialEstimateSeconds * 1000),
          },
          input.pricing,
        ).costUsd;
  return {
    wallSeconds,
    startupSeconds,
    workSeconds,
    sequentialEstimateSeconds,
    speedupFactor,
    idealSpeedup: ratio(sequentialEstimateSeconds, idealWall),
    parallelEfficiency: ratio(speedupFactor, input.plannedTasks),
    processingEfficiency: ratio(processSeconds, billedSeconds),
    billedSeconds,
    totalCostUsd,
    costPerSegmentUsd:
      totalCostUsd === undefined || done.length === 0 ? undefined : totalCostUsd / done.length,
    sequentialCostUsd,
    costOverheadVsSequential:
      totalCostUsd === undefined || sequentialCostUsd === undefined || sequentialCostUsd === 0
        ? undefined
        : totalCostUsd / sequentialCostUsd - 1,
    resumedFrom: Object.freeze([...(prior?.runIds ?? [])]),
    resumedSegments: prior?.resumedSegments ?? 0,
    priorCostUsd,
    priorWallSeconds: prior?.wallSeconds ?? 0,
  };
}
