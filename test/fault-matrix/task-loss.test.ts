/**
 * Fault matrix, tasks lost mid-segment: Spot interruptions and a worker killed with SIGKILL.
 * The faults are triggered from the run's own events, so they land in the middle of a segment.
 */
import { executeParallelBatches, type FanoutEvent } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { ecsSdk } from "../../bench/lib/aws.js";
import { assertCleanRun, type Row, startRow } from "../support/matrix.js";

const SEED = 6;
const specs = (count: number, ms: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `seg-${String(i).padStart(2, "0")}`, ms }));

describe("fault matrix: tasks lost mid-segment", () => {
  let row: Row | undefined;
  afterEach(async () => {
    await row?.close();
    row = undefined;
  });

  it("requeues the work of Spot-interrupted tasks (30 % of tasks, mid-segment) and still finishes", async () => {
    row = await startRow({ faults: { seed: SEED } });
    const current = row;
    const tasks = 4;
    const toInterrupt = Math.ceil(tasks * 0.3);
    const interrupted = new Set<string>();
    const segments = await current.segments(specs(12, 600));
    const result = await executeParallelBatches(
      current.options({
        segments,
        maxParallelTasks: tasks,
        launch: { type: "FARGATE_SPOT", fallbackToOnDemand: true },
        onEvent: (event: FanoutEvent) => {
          current.events.push(event);
          // The first upload to a fresh worker starts at once: 200 ms later it is mid-segment.
          if (
            event.type === "segment.uploaded" &&
            interrupted.size < toInterrupt &&
            !interrupted.has(event.taskArn)
          ) {
            const taskArn = event.taskArn;
            interrupted.add(taskArn);
            setTimeout(() => current.stack.local.interruptTask(taskArn), 200);
          }
        },
      }),
    );
    await assertCleanRun(current, result);
    expect(interrupted.size).toBe(toInterrupt);
    for (const arn of interrupted) {
      const task = result.tasks.find((t) => t.taskArn === arn);
      expect(task?.stopCode, `${arn} stop code`).toBe("SpotInterruption");
      const stopped = current.events.find((e) => e.type === "task.stopped" && e.taskArn === arn);
      expect(stopped, `${arn} reported as lost, not as a planned stop`).toMatchObject({ expected: false });
    }
  });

  it("requeues the segment of a worker killed with SIGKILL (exit 137) mid-segment", async () => {
    row = await startRow({ faults: { seed: SEED } });
    const current = row;
    let crashedArn: string | undefined;
    const segments = await current.segments(specs(8, 1200));
    const result = await executeParallelBatches(
      current.options({
        segments,
        maxParallelTasks: 2,
        onEvent: (event: FanoutEvent) => {
          current.events.push(event);
          // A fresh worker starts its first upload at once: 400 ms later it is a third into a 1.2 s job.
          if (event.type === "segment.uploaded" && !crashedArn) {
            const taskArn = event.taskArn;
            crashedArn = taskArn;
            setTimeout(() => current.stack.local.crashTask(taskArn), 400);
          }
        },
      }),
    );
    await assertCleanRun(current, result);
    if (!crashedArn) throw new Error("no segment was ever uploaded");
    const described = await current.stack.ecs.send(
      new ecsSdk.DescribeTasksCommand({ cluster: current.stack.cluster, tasks: [crashedArn] }),
    );
    expect(described.tasks?.[0]?.containers?.[0]?.exitCode, "the worker's exit code").toBe(137);
    const task = result.tasks.find((t) => t.taskArn === crashedArn);
    // UserInitiated when the run's StopTask lands between the kill and the endpoint noticing the exit.
    expect(["EssentialContainerExited", "UserInitiated"]).toContain(task?.stopCode);
    expect(current.events.find((e) => e.type === "task.stopped" && e.taskArn === crashedArn)).toMatchObject({
      expected: false,
    });
    // Whatever was in flight on the killed worker failed as TASK_LOST and then succeeded elsewhere.
    const lostAttempts = current.events.flatMap((e) =>
      e.type === "segment.failed" && e.taskArn === crashedArn ? [e] : [],
    );
    expect(lostAttempts.length, "attempts lost with the task").toBeGreaterThan(0);
    for (const attempt of lostAttempts) {
      expect(attempt).toMatchObject({ code: "TASK_LOST", willRetry: true });
      const segment = result.segments.find((s) => s.id === attempt.segmentId);
      expect(segment?.attempts, `${attempt.segmentId} ran again`).toBeGreaterThanOrEqual(2);
      expect(segment?.taskArn).not.toBe(crashedArn);
    }
  });
});
