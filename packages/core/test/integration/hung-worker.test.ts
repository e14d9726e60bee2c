import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  type Env,
  expectCleanFinish,
  recorder,
  registerWorker,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

/**
 * A worker that stops answering (SIGSTOP: the task stays RUNNING, the TCP port still accepts)
 * is given up on within the configured health-check window, not when a long poll times out.
 */
describe("a hung worker on the local endpoint", () => {
  let env: Env | undefined;
  let frozen: string | undefined;
  afterEach(async () => {
    // Bounded either way: SIGCONT lets a frozen worker see its SIGTERM; close SIGKILLs the rest.
    if (frozen !== undefined) env?.local.thawTask(frozen);
    await env?.close();
    env = undefined;
    frozen = undefined;
  });

  it("gives up on a frozen worker within its failed health checks and runs its segment elsewhere", async () => {
    env = await startEnv();
    const local = env.local;
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 6);
    const rec = recorder();
    let frozenAt = 0;
    let frozenSegment: string | undefined;
    const liveness = { checkIntervalMs: 300, checkTimeoutMs: 300, failedChecks: 3 };
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", bytes: 5000, ms: 1500 },
      maxParallelTasks: 2,
      segmentsPerBatch: 3,
      liveness,
      // Long enough that neither DescribeTasks nor an HTTP timeout could notice first.
      pollIntervalMs: 30_000,
      timeouts: { httpMs: 30_000 },
      onEvent: (e) => {
        rec.onEvent(e);
        if (process.env.DBG) console.error("EV", e.time % 100000, e.type, JSON.stringify(e).slice(0, 200));
        if (e.type === "segment.started" && frozen === undefined) {
          frozen = e.taskArn;
          frozenSegment = e.segmentId;
          frozenAt = e.time;
          local.freezeTask(e.taskArn);
        }
      },
    });
    expect(frozen).toBeDefined();
    const stopped = rec.of("task.stopped").find((e) => e.taskArn === frozen);
    expect(stopped?.lostBecause).toMatch(/worker stopped answering: 3 health checks in a row failed/);
    // The window: three checks of 300 ms each after at most one 300 ms pause, plus slack for a shared machine.
    const window = liveness.failedChecks * (liveness.checkIntervalMs + liveness.checkTimeoutMs);
    expect((stopped?.time ?? Number.POSITIVE_INFINITY) - frozenAt).toBeLessThan(window + 1500);
    // A replacement was launched for it, and its segment ran elsewhere.
    expect(rec.of("task.launched").filter((e) => e.replacementFor === frozen)).toHaveLength(1);
    const seg = result.segments.find((s) => s.id === frozenSegment);
    expect(seg?.status).toBe("succeeded");
    expect(seg?.taskArn).not.toBe(frozen);
    expect(result.failed).toBe(0);
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  }, 30_000);
});
