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

describe("retried work on the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  // Its order of events leans on 700 ms jobs; a machine loaded by the rest of the suite can reorder
  // them, so it gets retries (each run is a fresh stack).
  it("runs a crashed task's segment next on the surviving task, not after the replacement starts", {
    retry: 2,
  }, async () => {
    env = await startEnv();
    const local = env.local;
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 8);
    const rec = recorder();
    let crashed: { taskArn: string; segmentId: string; at: number } | undefined;
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", bytes: 5000, ms: 700 },
      maxParallelTasks: 2,
      segmentsPerBatch: 4,
      onEvent: (e) => {
        rec.onEvent(e);
        // Once both tasks run a job: the survivor's own job has started before the crash.
        const running = new Set(rec.of("segment.started").map((s) => s.taskArn)).size;
        if (e.type === "segment.started" && crashed === undefined && running === 2) {
          crashed = { taskArn: e.taskArn, segmentId: e.segmentId, at: rec.events.length };
          // The replacement takes far longer to start than the work left on the surviving task.
          local.setFaults({ startupDelayMs: { min: 10_000, max: 10_000 } });
          local.crashTask(e.taskArn);
        }
      },
    });
    expect(crashed).toBeDefined();
    const { taskArn, at } = crashed as NonNullable<typeof crashed>;
    // What the crash cut short: the job running there and the look-ahead it held.
    const retried = rec
      .of("segment.failed")
      .filter((e) => e.taskArn === taskArn)
      .map((e) => e.segmentId)
      .sort();
    expect(retried.length).toBeGreaterThan(0);
    const byId = new Map(result.segments.map((s) => [s.id, s]));
    const survivor = byId.get(retried[0] as string)?.taskArn as string;
    expect(survivor).not.toBe(taskArn);
    expect(retried.map((id) => byId.get(id)?.taskArn)).toEqual(retried.map(() => survivor));
    // After the crash the surviving task starts the retries before any fresh segment (the fresh
    // look-ahead it held went back to the queue to make room); none waits for the replacement.
    const before = rec.events.slice(0, at);
    const own = new Set(
      before.flatMap((e) => (e.type === "segment.uploaded" && e.taskArn === survivor ? [e.segmentId] : [])),
    );
    const startsAfter = rec.events
      .slice(at)
      .flatMap((e) => (e.type === "segment.started" && e.taskArn === survivor ? [e.segmentId] : []))
      .filter((id) => !own.has(id) || retried.includes(id));
    expect(startsAfter.slice(0, retried.length).sort()).toEqual(retried);
    expect(rec.of("segment.requeued").map((e) => [e.fromTaskArn, e.reason])).toContainEqual([
      survivor,
      "retryFirst",
    ]);
    expect(result.failed).toBe(0);
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  });
});
