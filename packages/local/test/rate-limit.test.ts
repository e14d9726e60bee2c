import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { runTask, testHarness } from "./helpers.js";

describe("AWS token-bucket rate limits (rateLimits: true)", () => {
  it("allows a burst of 100 cluster-read calls, then throttles with ThrottlingException", async () => {
    const h = await testHarness({ rateLimits: true });
    const results = await Promise.all(
      Array.from({ length: 140 }, () =>
        h.ecs.send(new ListTasksCommand({})).then(
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
    const h = await testHarness({ rateLimits: true, faults: { placementFailures: { fraction: 1 } } });
    for (let i = 0; i < 10; i++) await runTask(h, { count: 10 });
    const error = await runTask(h, { count: 10 }).catch((e) => e);
    expect(error.name).toBe("ThrottlingException");
  });

  it("does not throttle at all when rate limits are off (the default)", async () => {
    const h = await testHarness();
    const results = await Promise.all(
      Array.from({ length: 140 }, () =>
        h.ecs.send(new ListTasksCommand({})).then(
          () => "ok",
          (e: Error) => e.name,
        ),
      ),
    );
    expect(results.every((r) => r === "ok")).toBe(true);
  });
});
