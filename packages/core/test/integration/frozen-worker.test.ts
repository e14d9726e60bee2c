import { type BatchRunResult, executeParallelBatches } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
 * A worker that stops answering mid-run (SIGSTOP: a hung host, a frozen VM). ECS still says
 * RUNNING, so only the run's own liveness checks can notice; the run keeps its default liveness
 * options (three failed checks about a second apart) and the default 30 s HTTP timeout, which a
 * run that waited on its stuck status poll would need to notice anything.
 */
describe("a worker frozen mid-run on the local endpoint", () => {
  let env: Env;
  let result: BatchRunResult;
  const rec = recorder();
  let frozen: { taskArn: string; segmentId: string; at: number } | undefined;

  beforeAll(async () => {
    env = await startEnv();
    const local = env.local;
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 6);
    result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", bytes: 20_000, ms: 1500 },
      maxParallelTasks: 2,
      segmentsPerBatch: 3,
      onEvent: (e) => {
        rec.onEvent(e);
        // Frozen while it runs its first job.
        if (e.type !== "segment.started" || frozen !== undefined) return;
        frozen = { taskArn: e.taskArn, segmentId: e.segmentId, at: Date.now() };
        local.freezeTask(e.taskArn);
      },
    });
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it("gives the task up after a few failed health checks, within seconds, and says why", () => {
    const { taskArn, at } = frozen as NonNullable<typeof frozen>;
    const stopped = rec.of("task.stopped").find((e) => e.taskArn === taskArn);
    expect(stopped?.expected).toBe(false);
    expect(stopped?.lostBecause).toMatch(/^worker stopped answering: 3 health checks in a row failed/);
    // Three checks, each allowed 1.5 s, back to back once they time out: about 4–6 s, far below the
    // 30 s HTTP timeout a stuck status poll would wait for.
    expect((stopped?.time ?? Number.POSITIVE_INFINITY) - at).toBeLessThan(10_000);
    const task = result.tasks.find((t) => t.taskArn === taskArn);
    expect(task?.lostBecause).toMatch(/^worker stopped answering/);
    expect(task?.stoppedReason).toMatch(/^ecs-fanout: task lost \(worker stopped answering/);
    // It never ran its SIGTERM handler: the StopTask's SIGKILL ended it.
    expect(task?.exitCode).toBe(137);
  });

  it("launches a replacement at once and runs the frozen task's work elsewhere, each segment once", () => {
    const { taskArn, segmentId } = frozen as NonNullable<typeof frozen>;
    const stopped = rec.of("task.stopped").find((e) => e.taskArn === taskArn);
    const replacement = rec.of("task.launched").find((e) => e.replacementFor === taskArn);
    expect((replacement?.time ?? Number.POSITIVE_INFINITY) - (stopped?.time ?? 0)).toBeLessThan(1000);
    expect(rec.of("task.launched").filter((e) => e.replacementFor === taskArn)).toHaveLength(1);
    const seg = result.segments.find((s) => s.id === segmentId);
    expect(seg).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(seg?.taskArn).not.toBe(taskArn);
    expect(rec.of("segment.downloaded").filter((e) => e.taskArn === taskArn)).toEqual([]);
  });

  it("still runs every segment exactly once, with matching sha256, and leaves nothing running", async () => {
    expect(result.failed).toBe(0);
    const downloads = rec.of("segment.downloaded").map((e) => e.segmentId);
    expect(downloads.sort()).toEqual(result.segments.map((s) => s.id).sort());
    await expectCleanFinish(
      env,
      result.segments,
      result.segments.map((s) => s.id),
    );
  });
});
