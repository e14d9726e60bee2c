import { executeParallelBatches, type Segment } from "ecs-fanout";
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

/** The look-ahead tests' shape: 2 tasks, 3 segments a batch, synthetic jobs of 5000 bytes. */
function runOnTwoTasks(env: Env, td: string, segments: Segment[], rec: ReturnType<typeof recorder>) {
  return executeParallelBatches({
    ...baseOptions(env, td, segments),
    params: { processor: "synthetic", bytes: 5000 },
    maxParallelTasks: 2,
    segmentsPerBatch: 3,
    onEvent: rec.onEvent,
  });
}

describe("scheduling on the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("takes back a look-ahead segment stuck behind a long segment when another task runs out of work", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const inputs = await syntheticInputs(env, 6);
    // Largest first: "long" goes out first, "next" rides along as its task's look-ahead.
    const shape: Record<string, { weight: number; ms: number }> = {
      "seg-000": { weight: 1, ms: 100 },
      "seg-001": { weight: 1, ms: 100 },
      "seg-002": { weight: 100, ms: 4000 },
      "seg-003": { weight: 1, ms: 100 },
      "seg-004": { weight: 50, ms: 300 },
      "seg-005": { weight: 1, ms: 100 },
    };
    const segments: Segment[] = inputs.map((s) => {
      const { weight, ms } = shape[s.id] as { weight: number; ms: number };
      return { ...s, weight, params: { ms } };
    });
    const rec = recorder();
    const result = await runOnTwoTasks(env, td, segments, rec);
    expect(result.failed).toBe(0);
    const byId = new Map(result.segments.map((s) => [s.id, s]));
    const longTask = byId.get("seg-002")?.taskArn;
    // Which segment rides along depends on whether the other task was ready yet (a look-ahead
    // leaves the head of the queue to a task still starting); whichever it was comes back.
    const firstUploads = rec.of("segment.uploaded").filter((e) => e.taskArn === longTask);
    const ahead = firstUploads[1]?.segmentId as string;
    const takenBack = rec.of("segment.takenBack");
    expect(takenBack.map((e) => [e.segmentId, e.fromTaskArn])).toEqual([[ahead, longTask]]);
    expect(byId.get(ahead)?.taskArn).not.toBe(longTask);
    expect(byId.get(ahead)?.attempts).toBe(1);
    expect(rec.of("segment.failed")).toEqual([]);
    // The look-ahead upload waits for its task's first upload: the worker runs jobs in arrival
    // order, and a look-ahead that arrived first would run before the long segment (a flake once).
    expect(firstUploads[0]?.segmentId).toBe("seg-002");
    expect(rec.of("segment.started").find((e) => e.taskArn === longTask)?.segmentId).toBe("seg-002");
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  });

  it("reports progress while a long job runs, not only when its status changes", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 1);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", bytes: 1000, ms: 5000, progressSteps: 10 },
      maxParallelTasks: 1,
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(0);
    const progress = rec.of("segment.progress").map((e) => e.progress);
    expect(progress.filter((p) => p > 0 && p < 1).length).toBeGreaterThanOrEqual(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  });
});
