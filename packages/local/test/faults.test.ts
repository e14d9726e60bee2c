import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { FaultConfig } from "../src/index.js";
import { runOne, runTask, runTasks, testHarness, waitForStatus } from "./helpers.js";

const spot = {
  launchType: undefined,
  capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
};

describe("fault injection", () => {
  it("throttles the named actions and counts them in stats()", async () => {
    const h = await testHarness({ faults: { throttle: { fraction: 1, actions: ["ListTasks"] } } });
    const error = await h.ecs.send(new ListTasksCommand({})).catch((e) => e);
    // ECS does not model ThrottlingException: the SDK raises a ServiceException by that name (and retries it).
    expect(error.name).toBe("ThrottlingException");
    expect(error.message).toBe("Rate exceeded");
    await runTask(h); // RunTask is not named, so it passes
    expect(h.local.stats()).toMatchObject({
      calls: { ListTasks: 1, RunTask: 1 },
      throttled: { ListTasks: 1 },
    });
  });

  it("throttles the same calls for the same seed", async () => {
    const pattern = async (seed: number) => {
      const h = await testHarness({ faults: { seed, throttle: { fraction: 0.5 } } });
      const outcome: boolean[] = [];
      for (let i = 0; i < 20; i++) {
        outcome.push(
          await h.ecs.send(new ListTasksCommand({})).then(
            () => true,
            () => false,
          ),
        );
      }
      return outcome;
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(a).toContain(true);
    expect(a).toContain(false);
  });

  it("fails placements by script, one entry per task placement", async () => {
    const h = await testHarness({ faults: { placementFailures: { script: ["", "RESOURCE:MEMORY", ""] } } });
    const out = await runTask(h, { count: 3 });
    expect(out.tasks).toHaveLength(2);
    expect(out.failures).toEqual([{ reason: "RESOURCE:MEMORY" }]);
  });

  it("fails only FARGATE_SPOT placements with Capacity is unavailable when asked", async () => {
    const h = await testHarness({ faults: { spotCapacityUnavailable: true } });
    const spotRun = await runTask(h, { ...spot, count: 2 });
    expect(spotRun.tasks).toEqual([]);
    expect(spotRun.failures?.[0]?.reason).toMatch(/^Capacity is unavailable at this time/);
    expect((await runTask(h)).tasks).toHaveLength(1);
  });

  it("fails a fraction of placements for the listed launch types, with the given reason", async () => {
    const h = await testHarness({
      faults: { placementFailures: { fraction: 1, reason: "RESOURCE:CPU", launchTypes: ["FARGATE_SPOT"] } },
    });
    const spotRun = await runTask(h, spot);
    expect(spotRun.failures).toEqual([{ reason: "RESOURCE:CPU" }]);
    expect((await runTask(h)).failures).toEqual([]);
  });

  it("hides new tasks from DescribeTasks for missingMs (eventual consistency)", async () => {
    const h = await testHarness({ faults: { missingMs: 400 } });
    const arn = await runOne(h);
    const early = await h.ecs.send(new DescribeTasksCommand({ tasks: [arn] }));
    expect(early.failures).toEqual([{ arn, reason: "MISSING" }]);
    await new Promise((r) => setTimeout(r, 450));
    const later = await h.ecs.send(new DescribeTasksCommand({ tasks: [arn] }));
    expect(later.tasks?.[0]?.taskArn).toBe(arn);
  });

  it("delays start-up by startupDelayMs", async () => {
    const h = await testHarness({ faults: { startupDelayMs: { min: 400, max: 400 } } });
    const started = Date.now();
    const arn = await runOne(h);
    const task = await waitForStatus(h, arn, "RUNNING");
    expect(task.startedAt!.getTime() - task.pullStoppedAt!.getTime()).toBeGreaterThanOrEqual(390);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("interrupts Spot tasks: SIGTERM, then STOPPED with stopCode SpotInterruption", async () => {
    // A 3 s stop timeout: on a loaded machine 0.3 s can pass before SIGTERM is handled (then SIGKILL, 137).
    const h = await testHarness({
      faults: { spotInterruptions: { fraction: 1, afterMs: 100 } },
      timings: { stopTimeoutMsScale: 0.1 },
    });
    const out = await runTask(h, spot);
    expect(out.tasks?.[0]?.capacityProviderName).toBe("FARGATE_SPOT");
    const stopped = await waitForStatus(h, out.tasks?.[0]?.taskArn ?? "", "STOPPED");
    expect(stopped.stopCode).toBe("SpotInterruption");
    // SIGTERM, not SIGKILL: 0 once the test task's handler is installed, 143 before.
    expect([0, 143]).toContain(stopped.containers?.[0]?.exitCode);
    // On-demand tasks are never interrupted.
    const onDemand = await runOne(h);
    await waitForStatus(h, onDemand, "RUNNING");
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.ecs.send(new DescribeTasksCommand({ tasks: [onDemand] }))).tasks?.[0]?.lastStatus).toBe(
      "RUNNING",
    );
  });

  it("crashes tasks with SIGKILL: exit code 137", async () => {
    const h = await testHarness({ faults: { crashes: { fraction: 1, afterMs: 50 } } });
    const stopped = await waitForStatus(h, await runOne(h), "STOPPED");
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
  });

  it("a crash already done wins over a StopTask that lands before its exit is recorded", async () => {
    const h = await testHarness();
    const arns = await runTasks(h, { count: 5 });
    for (const arn of arns) {
      await waitForStatus(h, arn, "RUNNING");
      // The test task exits 0 on SIGTERM, so a StopTask that won the race would show as exit 0.
      h.local.crashTask(arn);
      await h.ecs.send(new StopTaskCommand({ task: arn, reason: "too late" }));
    }
    for (const arn of arns) {
      const stopped = await waitForStatus(h, arn, "STOPPED");
      expect(stopped.stopCode).toBe("EssentialContainerExited");
      expect(stopped.stoppedReason).toBe("Essential container in task exited");
      expect(stopped.containers?.[0]?.exitCode).toBe(137);
    }
    // A StopTask that truly came first stays UserInitiated, even if a crash follows.
    const first = await runOne(h);
    await waitForStatus(h, first, "RUNNING");
    await h.ecs.send(new StopTaskCommand({ task: first, reason: "first" }));
    h.local.crashTask(first);
    const stopped = await waitForStatus(h, first, "STOPPED");
    expect(stopped.stopCode).toBe("UserInitiated");
    expect(stopped.stoppedReason).toBe("first");
  });

  it("interruptTask and crashTask act on one task; setFaults changes faults at run time", async () => {
    const h = await testHarness({ timings: { spotNoticeMs: 300 } });
    const a = await runOne(h, spot);
    const b = await runOne(h);
    await waitForStatus(h, a, "RUNNING");
    await waitForStatus(h, b, "RUNNING");
    h.local.interruptTask(a);
    h.local.crashTask(b);
    expect((await waitForStatus(h, a, "STOPPED")).stopCode).toBe("SpotInterruption");
    expect((await waitForStatus(h, b, "STOPPED")).containers?.[0]?.exitCode).toBe(137);
    h.local.setFaults({ throttle: { fraction: 1 } });
    await expect(h.ecs.send(new ListTasksCommand({}))).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(() => h.local.setFaults({ throttle: { fraction: 2 } } as FaultConfig)).toThrow(
      /faults.throttle.fraction: expected a number from 0 to 1, got 2/,
    );
  });
});
