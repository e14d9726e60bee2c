import { ListTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { closeHarness, type Harness, network, register, startHarness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await closeHarness(h);
  h = undefined;
});

describe("AWS token-bucket rate limits (rateLimits: true)", () => {
  it("allows a burst of 100 cluster-read calls, then throttles with ThrottlingException", async () => {
    h = await startHarness({ rateLimits: true });
    const results = await Promise.all(
      Array.from({ length: 140 }, () =>
        h!.ecs.send(new ListTasksCommand({})).then(
          () => "ok",
          (e: Error) => e.name,
        ),
      ),
    );
    const ok = results.filter((r) => r === "ok").length;
    expect(ok).toBeGreaterThanOrEqual(100);
    expect(ok).toBeLessThan(140);
    expect(results.filter((r) => r !== "ok").every((r) => r === "ThrottlingException")).toBe(true);
    expect(h.local.stats().throttled["ListTasks"]).toBe(140 - ok);
  });

  it("counts Fargate task launches: ten calls of count 10 use the burst of 100", async () => {
    // Placement failures keep this test from starting 100 processes; the launch tokens are taken anyway.
    h = await startHarness({ rateLimits: true, faults: { placementFailures: { fraction: 1 } } });
    const taskDefinition = await register(h);
    const input = {
      taskDefinition,
      launchType: "FARGATE" as const,
      networkConfiguration: network(),
      count: 10,
    };
    for (let i = 0; i < 10; i++) await h.ecs.send(new RunTaskCommand(input));
    const error = await h.ecs.send(new RunTaskCommand(input)).catch((e) => e);
    expect(error.name).toBe("ThrottlingException");
  });

  it("does not throttle at all when rate limits are off (the default)", async () => {
    h = await startHarness();
    const results = await Promise.all(
      Array.from({ length: 140 }, () =>
        h!.ecs.send(new ListTasksCommand({})).then(
          () => "ok",
          (e: Error) => e.name,
        ),
      ),
    );
    expect(results.every((r) => r === "ok")).toBe(true);
  });
});
