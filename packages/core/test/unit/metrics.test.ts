import { describe, expect, it } from "vitest";
import { computeMetrics } from "../../src/metrics.js";
import { pricingSchema } from "../../src/options/pricing.js";

const usEast = { ...pricingSchema.parse({}), region: "us-east-1" };

const s = (seconds: number) => new Date(seconds * 1000);

// Two tasks, three segments (one failed), hand-computed below.
const input = {
  startedAt: s(0),
  settledAt: s(100),
  plannedTasks: 2,
  slotsPerTask: 1,
  tasks: [
    { launchedAt: s(0), readyAt: s(10), billedSeconds: 120, costUsd: 0.01 },
    { launchedAt: s(0), readyAt: s(20), billedSeconds: 100, costUsd: 0.02 },
  ],
  segments: [
    { succeeded: true, workMs: 30_000, processMsAllAttempts: 25_000 },
    { succeeded: true, workMs: 50_000, processMsAllAttempts: 45_000 },
    { succeeded: false, workMs: 0, processMsAllAttempts: 5_000 },
  ],
  representative: { launchType: "FARGATE", cpuUnits: 1024, memoryMiB: 2048 },
  pricing: usEast,
};

describe("computeMetrics", () => {
  const m = computeMetrics(input);

  it("measures wall time from start to the last settled segment", () => {
    expect(m.wallSeconds).toBe(100);
  });

  it("takes the mean launch-to-ready time as start-up", () => {
    expect(m.startupSeconds).toBe(15); // (10 + 20) / 2
  });

  it("estimates sequential time as one start-up plus all succeeded work", () => {
    expect(m.workSeconds).toBe(80);
    expect(m.sequentialEstimateSeconds).toBe(95);
  });

  it("computes speedup, ideal speedup and parallel efficiency", () => {
    expect(m.speedupFactor).toBeCloseTo(0.95, 10); // 95 / 100
    expect(m.idealSpeedup).toBeCloseTo(95 / 65, 10); // 15 + max(80 / 2, 50)
    expect(m.parallelEfficiency).toBeCloseTo(0.475, 10); // 0.95 / 2
  });

  it("counts processor-busy time of every attempt against billed time", () => {
    expect(m.billedSeconds).toBe(220);
    expect(m.processingEfficiency).toBeCloseTo(75 / 220, 10);
  });

  it("sums every task's cost, failed work included, and divides by succeeded segments", () => {
    expect(m.totalCostUsd).toBeCloseTo(0.03, 10);
    expect(m.costPerSegmentUsd).toBeCloseTo(0.015, 10);
  });

  it("prices the sequential estimate as one task of the run's size and reports the overhead", () => {
    const sequential = (95 / 3600) * (0.04048 + 2 * 0.004445);
    expect(m.sequentialCostUsd).toBeCloseTo(sequential, 12);
    expect(m.costOverheadVsSequential).toBeCloseTo(0.03 / sequential - 1, 8);
  });

  it("leaves the total unknown when any task's cost is unknown", () => {
    const unknown = computeMetrics({
      ...input,
      tasks: [
        ...input.tasks,
        { launchedAt: s(0), readyAt: undefined, billedSeconds: 60, costUsd: undefined },
      ],
    });
    expect(unknown.totalCostUsd).toBeUndefined();
    expect(unknown.costPerSegmentUsd).toBeUndefined();
    expect(unknown.costOverheadVsSequential).toBeUndefined();
  });

  it("gives zeros rather than NaN for a run where nothing happened", () => {
    const empty = computeMetrics({ ...input, settledAt: s(0), tasks: [], segments: [] });
    expect(empty.speedupFactor).toBe(0);
    expect(empty.processingEfficiency).toBe(0);
    expect(empty.totalCostUsd).toBe(0);
    expect(empty.costPerSegmentUsd).toBeUndefined();
  });
});

describe("the worked example of docs/cost-model.md", () => {
  const perTask = (readySeconds: number, billed: number) => ({
    launchedAt: s(0),
    readyAt: s(readySeconds),
    billedSeconds: billed,
    costUsd: (billed * 0.09874) / 3600,
  });
  const m = computeMetrics({
    startedAt: s(0),
    settledAt: s(215),
    plannedTasks: 3,
    slotsPerTask: 1,
    tasks: [perTask(35, 190), perTask(38, 192), perTask(41, 188)],
    segments: Array.from({ length: 12 }, () => ({
      succeeded: true,
      workMs: 40_000,
      processMsAllAttempts: 36_000,
    })),
    representative: { launchType: "FARGATE", cpuUnits: 2048, memoryMiB: 4096 },
    pricing: usEast,
  });

  it("comes out as the page says", () => {
    expect(m.totalCostUsd).toBeCloseTo(0.015634, 6);
    expect(m.costPerSegmentUsd).toBeCloseTo(0.001303, 6);
    expect(m.sequentialEstimateSeconds).toBe(518);
    expect(m.speedupFactor).toBeCloseTo(2.41, 2);
    expect(m.idealSpeedup).toBeCloseTo(2.62, 2);
    expect(m.parallelEfficiency).toBeCloseTo(0.8, 2);
    expect(m.processingEfficiency).toBeCloseTo(0.76, 2);
    expect(m.sequentialCostUsd).toBeCloseTo(0.014208, 6);
    expect(m.costOverheadVsSequential).toBeCloseTo(0.1, 3);
  });
});

describe("idealSpeedup with look-ahead (speedupFactor beat it, since uploads overlapped processing)", () => {
  const run = (lookAhead: boolean, wall: number) =>
    computeMetrics({
      startedAt: s(0),
      settledAt: s(wall),
      plannedTasks: 3,
      slotsPerTask: 1,
      lookAhead,
      tasks: [35, 38, 41].map((r) => ({ launchedAt: s(0), readyAt: s(r), billedSeconds: 200, costUsd: 0 })),
      segments: Array.from({ length: 12 }, () => ({
        succeeded: true,
        workMs: 40_000,
        transferMs: 4_000,
        processMsAllAttempts: 36_000,
      })),
      representative: undefined,
      pricing: usEast,
    });

  it("counts only processing plus the smallest transfer per lane as serial when transfers overlap", () => {
    // 38 + max((432 + 3 × 4) / 3, 40) = 38 + 148 = 186
    expect(run(true, 190).idealSpeedup).toBeCloseTo(518 / 186, 10);
    expect(run(false, 190).idealSpeedup).toBeCloseTo(518 / 198, 10);
  });

  it("keeps a run that overlapped its uploads at or below the ideal", () => {
    // 4 segments per lane: 4 × 36 s processing + one upload + one download = 148 s after start-up.
    const m = run(true, 38 + 148);
    expect(m.speedupFactor).toBeGreaterThan(run(false, 190).idealSpeedup);
    expect(m.speedupFactor).toBeLessThanOrEqual(m.idealSpeedup);
  });
});
