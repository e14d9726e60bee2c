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
 * One Spot interruption, seen from every side. DescribeTasks is polled only every 4 s and the
 * task takes no upload after the notice, so what happens within the first 1.5 s of the notice can
 * only come from the worker's own word on a status poll.
 */
describe("a Spot notice on the local endpoint", () => {
  let env: Env;
  let result: BatchRunResult;
  const rec = recorder();
  let notice: { taskArn: string; segmentId: string; at: number } | undefined;

  beforeAll(async () => {
    // 8 s from the notice to SIGKILL; the worker may drain for 6.4 s of it.
    env = await startEnv({ timings: { spotNoticeMs: 8000 } });
    const local = env.local;
    const td = await registerWorker(env, "synthetic", {
      FANOUT_ENABLE_SYNTHETIC: "1",
      FANOUT_STOP_TIMEOUT_SECONDS: "8",
    });
    const segments = await syntheticInputs(env, 6);
    result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", bytes: 20_000, ms: 1500 },
      launch: { type: "FARGATE_SPOT" },
      pollIntervalMs: 4000,
      maxParallelTasks: 2,
      segmentsPerBatch: 3,
      onEvent: (e) => {
        rec.onEvent(e);
        // The notice comes once a task runs a job and holds its look-ahead, uploaded and queued.
        if (e.type !== "segment.uploaded" || notice !== undefined) return;
        const running = rec.of("segment.started").find((s) => s.taskArn === e.taskArn);
        if (running === undefined || running.segmentId === e.segmentId) return;
        notice = { taskArn: e.taskArn, segmentId: running.segmentId, at: Date.now() };
        local.interruptTask(e.taskArn);
      },
    });
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it("hears the notice from the worker at once and launches the replacement then, not at the stop", () => {
    const { taskArn, at } = notice as NonNullable<typeof notice>;
    const draining = rec.of("task.draining").find((e) => e.taskArn === taskArn);
    expect(draining?.noticedBy).toBe("worker");
    expect((draining?.time ?? Number.POSITIVE_INFINITY) - at).toBeLessThan(1500);
    const replacement = rec.of("task.launched").find((e) => e.replacementFor === taskArn);
    expect((replacement?.time ?? Number.POSITIVE_INFINITY) - at).toBeLessThan(1500);
    const stopped = rec.of("task.stopped").find((e) => e.taskArn === taskArn);
    expect(replacement?.time).toBeLessThan(stopped?.time ?? 0);
    // One replacement for one interruption.
    expect(rec.of("task.launched").filter((e) => e.replacementFor === taskArn)).toHaveLength(1);
  });

  it("takes the draining task's queued look-ahead back at once and runs it elsewhere, as a first attempt", () => {
    const { taskArn, segmentId, at } = notice as NonNullable<typeof notice>;
    const requeued = rec.of("segment.requeued").filter((e) => e.fromTaskArn === taskArn);
    expect(requeued.map((e) => e.reason)).toEqual(["draining"]);
    const back = requeued[0] as (typeof requeued)[number];
    expect(back.segmentId).not.toBe(segmentId);
    expect(back.time - at).toBeLessThan(1500);
    const seg = result.segments.find((s) => s.id === back.segmentId);
    expect(seg).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(seg?.taskArn).not.toBe(taskArn);
  });

  it("lets the job running at the notice finish there and downloads it before the task goes", () => {
    const { taskArn, segmentId } = notice as NonNullable<typeof notice>;
    const seg = result.segments.find((s) => s.id === segmentId);
    expect(seg).toMatchObject({ status: "succeeded", attempts: 1, taskArn });
    expect(rec.of("segment.failed").filter((e) => e.segmentId === segmentId)).toEqual([]);
    const lost = result.tasks.find((t) => t.taskArn === taskArn);
    expect(lost?.stopCode).toBe("SpotInterruption");
  });

  it("still runs every segment exactly once and leaves nothing running", async () => {
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
