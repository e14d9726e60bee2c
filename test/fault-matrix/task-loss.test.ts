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
          if (
            event.type === "segment.started" &&
            interrupted.size < toInterrupt &&
            !interrupted.has(event.taskArn)
          ) {
            interrupted.add(event.taskArn);
            current.stack.local.interruptTask(event.taskArn);
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
    let crashed: { taskArn: string; segmentId: string } | undefined;
    const segments = await current.segments(specs(8, 800));
    const result = await executeParallelBatches(
      current.options({
        segments,
        maxParallelTasks: 2,
        onEvent: (event: FanoutEvent) => {
          current.events.push(event);
          if (event.type === "segment.started" && !crashed) {
            crashed = { taskArn: event.taskArn, segmentId: event.segmentId };
            // Mid-segment: the synthetic job runs 800 ms; kill it 300 ms in.
            setTimeout(() => current.stack.local.crashTask(event.taskArn), 300);
          }
        },
      }),
    );
    await assertCleanRun(current, result);
    if (!crashed) throw new Error("no segment ever started");
    const task = result.tasks.find((t) => t.taskArn === crashed?.taskArn);
    // UserInitiated when the run's StopTask lands between the kill and the endpoint noticing the exit.
    expect(["EssentialContainerExited", "UserInitiated"]).toContain(task?.stopCode);
    const described = await current.stack.ecs.send(
      new ecsSdk.DescribeTasksCommand({ cluster: current.stack.cluster, tasks: [crashed.taskArn] }),
    );
    expect(described.tasks?.[0]?.containers?.[0]?.exitCode, "the worker's exit code").toBe(137);
    const segment = result.segments.find((s) => s.id === crashed?.segmentId);
    expect(segment?.attempts, "the killed segment ran again").toBeGreaterThanOrEqual(2);
    expect(segment?.taskArn).not.toBe(crashed.taskArn);
    const failedAttempt = current.events.find(
      (e) =>
        e.type === "segment.failed" && e.segmentId === crashed?.segmentId && e.taskArn === crashed?.taskArn,
    );
    expect(failedAttempt, "the attempt on the killed task").toMatchObject({
      code: "TASK_LOST",
      willRetry: true,
    });
    expect(
      current.events.find((e) => e.type === "task.stopped" && e.taskArn === crashed?.taskArn),
    ).toMatchObject({
      expected: false,
    });
  });
});
