import { describe, expect, it } from "vitest";
import { launchBatches, planRun } from "../../src/plan.js";

describe("planRun", () => {
  it.each([
    // segments, maxParallelTasks, segmentsPerBatch → tasks
    [12, 10, 4, 3],
    [12, 2, 4, 2],
    [13, 10, 4, 4],
    [1, 10, 1, 1],
    [100, 10, 1, 10],
    [5, 10, 100, 1],
    [0, 10, 1, 0],
  ])("plans %i segments with max %i tasks and %i per batch as %i tasks", (segments, max, per, tasks) => {
    expect(planRun({ segments, maxParallelTasks: max, segmentsPerBatch: per }).tasks).toBe(tasks);
  });

  it("reports the even spread as segments per task", () => {
    expect(planRun({ segments: 13, maxParallelTasks: 10, segmentsPerBatch: 4 }).segmentsPerTask).toBe(4);
  });
});

describe("launchBatches", () => {
  it("splits task counts into RunTask calls of at most ten", () => {
    expect(launchBatches(25)).toEqual([10, 10, 5]);
    expect(launchBatches(10)).toEqual([10]);
    expect(launchBatches(3)).toEqual([3]);
    expect(launchBatches(0)).toEqual([]);
  });
});
