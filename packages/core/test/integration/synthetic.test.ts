import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  type Env,
  outputFiles,
  recorder,
  registerWorker,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

const sha = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

describe("synthetic runs on the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("processes every segment over three tasks and leaves nothing running", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 9);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", ms: 100, bytes: 20000 },
      maxParallelTasks: 3,
      segmentsPerBatch: 3,
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(0);
    expect(result.succeeded).toBe(9);
    expect(result.plannedTasks).toBe(3);
    for (const s of result.segments) {
      expect(s.outputPath).toBe(join(env.outputDir, `${s.id}.bin`));
      expect(await sha(s.outputPath as string)).toBe(s.sha256);
    }
    expect(await outputFiles(env)).toEqual(segments.map((s) => `${s.id}.bin`));
    expect(await runningTaskArns(env)).toEqual([]);
    // 100 ms jobs: the first ready task may finish all nine before the others are up (no work is
    // held back for starting tasks); those are then stopped while still starting.
    expect(rec.of("task.ready").length).toBeGreaterThanOrEqual(1);
    expect(rec.of("task.ready").length).toBeLessThanOrEqual(3);
    expect(rec.of("segment.downloaded")).toHaveLength(9);
    expect(rec.events.at(-1)?.type).toBe("run.finished");
    expect(Object.isFrozen(rec.events[0])).toBe(true);
    // POST /v1/shutdown races StopTask, so either stop code is ours; both end with real stop stamps.
    for (const t of result.tasks) {
      expect(["UserInitiated", "EssentialContainerExited"]).toContain(t.stopCode);
      expect(t.billingEstimated).toBe(false);
    }
    expect(rec.of("task.stopped").map((e) => e.expected)).toEqual([true, true, true]);
  });
});

describe("API economy on the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("removes partial downloads a killed earlier run left for its segments, and nothing else", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 2);
    await mkdir(env.outputDir, { recursive: true });
    // Names attemptSegment uses (`.<outputName>.<jobId>.part`), plus look-alikes that are not ours.
    const stale = [".seg-000.bin.seg-000.a1.part", ".seg-001.bin.seg-001.a12.part"];
    const foreign = [".seg-000.bin.other.a1.part", ".seg-009.bin.seg-009.a1.part", "notes.part", "keep.txt"];
    for (const name of [...stale, ...foreign]) await writeFile(join(env.outputDir, name), "half");
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", ms: 10, bytes: 1000 },
      maxParallelTasks: 1,
      segmentsPerBatch: 2,
    });
    expect(result.succeeded).toBe(2);
    expect(await outputFiles(env)).toEqual([...foreign, "seg-000.bin", "seg-001.bin"].sort());
  });

  it("retries throttled calls and polls all tasks with one DescribeTasks per interval", async () => {
    env = await startEnv({
      faults: { throttle: { fraction: 0.3, actions: ["RunTask", "DescribeTasks", "StopTask"] } },
    });
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 8);
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", ms: 300, bytes: 5000 },
      maxParallelTasks: 4,
      segmentsPerBatch: 2,
      pollIntervalMs: 200,
    });
    expect(result.failed).toBe(0);
    const stats = env.local.stats();
    expect(Object.values(stats.throttled).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // 4 tasks polled together: DescribeTasks calls stay near wall time / interval, not × tasks.
    const describes = stats.calls["DescribeTasks"] ?? 0;
    // (throttled retries count as calls too, hence 2×; per-task polling would be 4× and more)
    const ceiling = ((result.metrics.wallSeconds * 1000) / 200) * 2 + 10;
    expect(describes).toBeLessThan(ceiling);
    expect(await runningTaskArns(env)).toEqual([]);
  });
});
