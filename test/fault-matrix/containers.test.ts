/**
 * Fault matrix in real containers: every task is a runc container of the CPU worker image
 * (scripts/build-image.sh) with its task definition's memory as a cgroup limit, so a job that
 * outgrows it is killed by the kernel, not by an injected crash. Skipped, with the reason, where
 * containers cannot run (not root, no runc/buildah, image not built) — unless
 * ECS_FANOUT_REQUIRE_CONTAINERS=1 (CI), where that is a failure.
 */
import { execFileSync } from "node:child_process";
import { containerRuntimeProblem } from "@ecs-fanout/local";
import { executeParallelBatches, type FanoutEvent } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { ecsSdk } from "../../bench/lib/aws.js";
import { assertCleanRun, type Row, startRow } from "../support/matrix.js";

const IMAGE = process.env["ECS_FANOUT_IMAGE"] ?? "localhost/ecs-fanout-worker:cpu";

function unavailable(): string | undefined {
  const problem = containerRuntimeProblem();
  if (problem) return problem;
  try {
    execFileSync("buildah", ["inspect", "--type", "image", IMAGE], { stdio: "ignore", timeout: 30_000 });
  } catch {
    return `image ${IMAGE} is not in buildah's local storage (build it: scripts/build-image.sh)`;
  }
  return undefined;
}

const why = unavailable();
if (why && process.env["ECS_FANOUT_REQUIRE_CONTAINERS"] === "1") {
  throw new Error(
    `container fault-matrix rows are required here (ECS_FANOUT_REQUIRE_CONTAINERS=1) but: ${why}`,
  );
}
if (why) console.warn(`skipping the container fault-matrix rows: ${why}`);

const OOM_REASON = "OutOfMemoryError: Container killed due to memory usage";

describe.skipIf(why !== undefined)("fault matrix in containers", () => {
  let row: Row | undefined;
  afterEach(async () => {
    await row?.close();
    row = undefined;
  });

  it("a segment that outgrows its task's memory: each task it lands on is killed for memory (137, AWS's reason), it fails once its attempts are used up, every other segment succeeds", {
    timeout: 600_000,
  }, async () => {
    row = await startRow({ containerImage: IMAGE, size: { cpu: "256", memory: "512" } });
    const current = row;
    const segments = await current.segments([
      { id: "seg-00", ms: 300 },
      { id: "seg-01", ms: 300 },
      // 1 GiB held by a task whose cgroup allows 512 MiB: the kernel kills the worker.
      { id: "seg-big", ms: 5000, params: { faults: { holdMemoryMiB: 1024 } } },
      { id: "seg-02", ms: 300 },
    ]);
    const result = await executeParallelBatches(
      current.options({
        segments,
        maxParallelTasks: 2,
        // One segment per worker at a time: only the big segment goes down with the tasks it kills.
        lookAhead: false,
        retry: { minBackoffMs: 50, maxBackoffMs: 400, segmentAttempts: 2 },
        timeouts: {
          taskStartMs: 120_000,
          workerReadyMs: 120_000,
          segmentMs: 120_000,
          httpMs: 10_000,
          missingMs: 60_000,
          stopWaitMs: 60_000,
        },
        onEvent: (event: FanoutEvent) => current.events.push(event),
      }),
    );
    await assertCleanRun(current, result, { failed: ["seg-big"] });
    // Both attempts of the big segment were lost with their tasks, which the kernel killed.
    const lost = current.events.flatMap((e) =>
      e.type === "segment.failed" && e.segmentId === "seg-big" ? [e] : [],
    );
    expect(lost.map((e) => e.code)).toEqual(["TASK_LOST", "TASK_LOST"]);
    expect(lost.map((e) => e.willRetry)).toEqual([true, false]);
    for (const attempt of lost) {
      const task = result.tasks.find((t) => t.taskArn === attempt.taskArn);
      expect(task?.exitCode, `${attempt.taskArn} exit code`).toBe(137);
      // UserInitiated when the run's StopTask lands between the kill and the endpoint noticing the exit.
      expect(["EssentialContainerExited", "UserInitiated"]).toContain(task?.stopCode);
      const described = await current.stack.ecs.send(
        new ecsSdk.DescribeTasksCommand({ cluster: current.stack.cluster, tasks: [attempt.taskArn ?? ""] }),
      );
      expect(described.tasks?.[0]?.containers?.[0]?.reason).toBe(OOM_REASON);
    }
    expect(result.segments.find((s) => s.id === "seg-big")?.status).toBe("failed");
  });
});
