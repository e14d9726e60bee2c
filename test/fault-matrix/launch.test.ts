/**
 * Fault matrix, launching: placement failures, Spot capacity gone, throttling, MISSING window.
 * Each row is a whole executeParallelBatches run on the local ECS endpoint with the real worker.
 */
import { executeParallelBatches, FanoutError, type FanoutEvent } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { ecsSdk } from "../../bench/lib/aws.js";
import { assertCleanRun, type Row, startRow } from "../support/matrix.js";

const SEED = 6;
const specs = (count: number, ms = 150) =>
  Array.from({ length: count }, (_, i) => ({ id: `seg-${String(i).padStart(2, "0")}`, ms }));

describe("fault matrix: launching", () => {
  let row: Row | undefined;
  afterEach(async () => {
    await row?.close();
    row = undefined;
  });

  it("finishes every segment when half of all RunTask placements fail", async () => {
    row = await startRow({
      faults: {
        seed: SEED,
        placementFailures: {
          fraction: 0.5,
          reason:
            "Capacity is unavailable at this time. Please try again later or in a different availability zone",
        },
      },
    });
    const segments = await row.segments(specs(10));
    const result = await executeParallelBatches(row.options({ segments, maxParallelTasks: 3 }));
    await assertCleanRun(row, result);
    const refused = row.events.filter((e) => e.type === "task.launchFailed");
    expect(refused.length, "placements refused and retried").toBeGreaterThan(0);
    expect(refused.every((e) => e.type === "task.launchFailed" && e.kind === "capacity" && e.willRetry)).toBe(
      true,
    );
  });

  it("falls back to on-demand Fargate when Spot capacity is gone and fallback is allowed", async () => {
    row = await startRow({ faults: { seed: SEED, spotCapacityUnavailable: true } });
    const segments = await row.segments(specs(8));
    const result = await executeParallelBatches(
      row.options({
        segments,
        maxParallelTasks: 2,
        launch: { type: "FARGATE_SPOT", fallbackToOnDemand: true },
      }),
    );
    await assertCleanRun(row, result);
    expect(row.events.some((e) => e.type === "task.fallback")).toBe(true);
    for (const task of result.tasks) {
      expect(task.capacityProvider ?? task.launchType, `${task.taskArn} ran on-demand`).toBe("FARGATE");
    }
  });

  it("fails with a typed capacity error, leaving nothing running, when Spot is gone and fallback is off", async () => {
    row = await startRow({ faults: { seed: SEED, spotCapacityUnavailable: true } });
    const segments = await row.segments(specs(8));
    const run = executeParallelBatches(
      row.options({
        segments,
        maxParallelTasks: 2,
        launch: { type: "FARGATE_SPOT", fallbackToOnDemand: false },
        retry: { launchRetries: 2, minBackoffMs: 20, maxBackoffMs: 100 },
      }),
    );
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FanoutError);
    expect(["LAUNCH_FAILED", "NO_CAPACITY"]).toContain((error as FanoutError).code);
    expect((error as Error).message).toMatch(/capacity/i);
    await assertCleanRun(row, undefined);
    expect(row.events.some((e) => e.type === "task.running")).toBe(false);
  });

  it("rides out ThrottlingException on 30 % of ECS and EC2 calls", async () => {
    row = await startRow({ faults: { seed: SEED, throttle: { fraction: 0.3 } } });
    const segments = await row.segments(specs(10));
    const result = await executeParallelBatches(
      row.options({
        segments,
        maxParallelTasks: 3,
        retry: { minBackoffMs: 20, maxBackoffMs: 200, awsRetries: 12 },
      }),
    );
    await assertCleanRun(row, result);
    const throttled = Object.values(row.stack.local.stats().throttled).reduce((a, b) => a + b, 0);
    expect(throttled, "calls the endpoint throttled").toBeGreaterThan(0);
  });

  it("waits out new tasks that DescribeTasks reports MISSING for 2 s", async () => {
    row = await startRow({ faults: { seed: SEED, missingMs: 2000 } });
    const current = row;
    const segments = await current.segments(specs(8));
    // Our own look right after each launch proves the window is real.
    const probes: Array<Promise<string | undefined>> = [];
    const result = await executeParallelBatches(
      current.options({
        segments,
        maxParallelTasks: 2,
        onEvent: (event: FanoutEvent) => {
          current.events.push(event);
          if (event.type !== "task.launched") return;
          probes.push(
            current.stack.ecs
              .send(
                new ecsSdk.DescribeTasksCommand({ cluster: current.stack.cluster, tasks: [event.taskArn] }),
              )
              .then((out) => out.failures?.[0]?.reason),
          );
        },
      }),
    );
    await assertCleanRun(current, result);
    expect(await Promise.all(probes), "DescribeTasks right after RunTask").toContain("MISSING");
    expect(result.tasks.every((t) => t.stopCode !== "TaskFailedToStart")).toBe(true);
  });
});
