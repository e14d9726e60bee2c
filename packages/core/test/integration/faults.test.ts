import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { executeParallelBatches, type FanoutEvent, runParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  type Env,
  expectCleanFinish,
  outputFiles,
  recorder,
  registerWorker,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

const SYNTHETIC = { processor: "synthetic", ms: 250, bytes: 20_000, progressSteps: 2 };
const ids = (n: number, except: number[] = []) =>
  Array.from({ length: n }, (_, i) => `seg-${String(i).padStart(3, "0")}`).filter(
    (_, i) => !except.includes(i),
  );

describe("runs on the local endpoint with faults", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  async function setup(config: Parameters<typeof startEnv>[0] = {}) {
    env = await startEnv(config);
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    return { env, td };
  }

  it("streams every result as it lands, before the run ends", async () => {
    const { env, td } = await setup();
    const segments = await syntheticInputs(env, 6);
    const run = runParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      maxParallelTasks: 2,
      segmentsPerBatch: 3,
    });
    const seen: string[] = [];
    for await (const r of run) {
      expect(r.status).toBe("succeeded");
      // On disk, complete, the moment it is yielded.
      expect(
        createHash("sha256")
          .update(await readFile(r.outputPath as string))
          .digest("hex"),
      ).toBe(r.sha256);
      seen.push(r.id);
    }
    const result = await run.done;
    expect(seen.sort()).toEqual(ids(6));
    expect(result.runId).toBe(run.runId);
    await expectCleanFinish(env, result.segments, ids(6));
  });

  it("survives a Spot interruption mid-run: requeues the lost work and launches a replacement", async () => {
    const { env, td } = await setup();
    const segments = await syntheticInputs(env, 9);
    const rec = recorder();
    let interrupted: string | undefined;
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { ...SYNTHETIC, ms: 600 },
      launch: { type: "FARGATE_SPOT" },
      maxParallelTasks: 3,
      segmentsPerBatch: 3,
      onEvent: (e) => {
        rec.onEvent(e);
        if (e.type === "segment.started" && interrupted === undefined) {
          interrupted = e.taskArn;
          env.local.interruptTask(e.taskArn);
        }
      },
    });
    expect(interrupted).toBeDefined();
    const lost = result.tasks.find((t) => t.taskArn === interrupted);
    expect(lost?.stopCode).toBe("SpotInterruption");
    expect(lost?.capacityProvider).toBe("FARGATE_SPOT");
    // Given up (its worker went away) or drained through the notice: either way the result says why.
    expect(lost?.lostBecause).toEqual(expect.any(String));
    expect(rec.of("task.launched").some((e) => e.replacementFor === interrupted)).toBe(true);
    expect(rec.of("task.stopped").find((e) => e.taskArn === interrupted)?.expected).toBe(false);
    expect(result.failed).toBe(0);
    await expectCleanFinish(env, result.segments, ids(9));
  });

  it("survives a task crash (exit 137) mid-job: the attempt fails as TASK_LOST and task.stopped comes at once, unexpected", async () => {
    const { env, td } = await setup();
    const segments = await syntheticInputs(env, 6);
    let crashed: string | undefined;
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { ...SYNTHETIC, ms: 600 },
      maxParallelTasks: 2,
      segmentsPerBatch: 3,
      onEvent: (e) => {
        rec.onEvent(e);
        if (e.type === "segment.started" && crashed === undefined) {
          crashed = e.taskArn;
          env.local.crashTask(e.taskArn);
        }
      },
    });
    const crashedTask = result.tasks.find((t) => t.taskArn === crashed);
    expect(crashedTask?.lastStatus).toBe("STOPPED");
    // The result says why the run gave the task up, and the container's exit code (SIGKILL).
    expect(crashedTask?.lostBecause).toEqual(expect.any(String));
    expect(crashedTask?.exitCode).toBe(137);
    for (const t of result.tasks) if (t.taskArn !== crashed) expect(t.lostBecause).toBeUndefined();
    // The attempt in flight on the crashed task was requeued, not counted as the segment's fault alone.
    const requeued = rec.of("segment.failed").filter((e) => e.taskArn === crashed);
    expect(requeued.length).toBeGreaterThan(0);
    expect(requeued.every((e) => e.willRetry)).toBe(true);
    expect(requeued.map((e) => e.code)).toEqual(requeued.map(() => "TASK_LOST"));
    expect(result.tasks.some((t) => t.replacementFor === crashed)).toBe(true);
    // Reported when the loss was noticed (before its replacement launched), not at the run's end.
    const stoppedAt = rec.events.findIndex((e) => e.type === "task.stopped" && e.taskArn === crashed);
    const replacedAt = rec.events.findIndex(
      (e) => e.type === "task.launched" && e.replacementFor === crashed,
    );
    expect(stoppedAt).toBeGreaterThanOrEqual(0);
    expect(stoppedAt).toBeLessThan(replacedAt);
    expect(rec.of("task.stopped").find((e) => e.taskArn === crashed)?.expected).toBe(false);
    await expectCleanFinish(env, result.segments, ids(6));
  });

  it("retries RunTask capacity failures with backoff and still runs every segment", async () => {
    const { env, td } = await setup({
      faults: {
        placementFailures: {
          script: [
            "Capacity is unavailable at this time. Please try again later or in a different availability zone",
            "RESOURCE:CPU",
          ],
        },
      },
    });
    const segments = await syntheticInputs(env, 6);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      maxParallelTasks: 3,
      segmentsPerBatch: 2,
      onEvent: rec.onEvent,
    });
    const failed = rec.of("task.launchFailed");
    expect(failed[0]).toMatchObject({ count: 2, kind: "capacity", willRetry: true });
    expect(failed[0]?.reasons).toContain("RESOURCE:CPU");
    expect(result.tasksLaunched).toBe(3);
    await expectCleanFinish(env, result.segments, ids(6));
  });

  it("falls back to on-demand Fargate when Spot capacity is unavailable", async () => {
    const { env, td } = await setup({ faults: { spotCapacityUnavailable: true } });
    const segments = await syntheticInputs(env, 4);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      launch: { type: "FARGATE_SPOT" },
      maxParallelTasks: 2,
      segmentsPerBatch: 2,
      onEvent: rec.onEvent,
    });
    expect(rec.of("task.fallback")).toHaveLength(1);
    expect(result.tasks.map((t) => t.launchType)).toEqual(["FARGATE", "FARGATE"]);
    await expectCleanFinish(env, result.segments, ids(4));
  });

  it("tolerates tasks MISSING from DescribeTasks right after launch", async () => {
    const { env, td } = await setup({ faults: { missingMs: 1500 } });
    const segments = await syntheticInputs(env, 4);
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      maxParallelTasks: 2,
      segmentsPerBatch: 2,
    });
    expect(result.tasksLaunched).toBe(2);
    await expectCleanFinish(env, result.segments, ids(4));
  });

  it("reports a poison segment failed with the worker's message after its attempts, on other tasks, and finishes the rest", async () => {
    const { env, td } = await setup();
    const segments = (await syntheticInputs(env, 8)).map((s, i) =>
      i === 4 ? { ...s, params: { fail: "poisoned input: bad header" } } : s,
    );
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      maxParallelTasks: 3,
      segmentsPerBatch: 3,
      onEvent: rec.onEvent,
    });
    expect(result.failures.map((f) => f.id)).toEqual(["seg-004"]);
    const poison = result.failures[0];
    expect(poison?.attempts).toBe(3);
    expect(poison?.error?.code).toBe("JOB_FAILED");
    expect(poison?.error?.message).toContain("poisoned input: bad header");
    expect(poison?.logTail?.length).toBeGreaterThan(0);
    const tried = new Set(
      rec
        .of("segment.failed")
        .filter((e) => e.segmentId === "seg-004")
        .map((e) => e.taskArn),
    );
    expect(tried.size).toBeGreaterThan(1);
    await expectCleanFinish(env, result.segments, ids(8, [4]));
  });

  it("resumes a download the worker cuts off and keeps the exact bytes", async () => {
    const { env, td } = await setup();
    const segments = (await syntheticInputs(env, 4)).map((s, i) =>
      i === 2 ? { ...s, params: { faults: { truncateDownloadAfterBytes: 7000 } } } : s,
    );
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      maxParallelTasks: 2,
      segmentsPerBatch: 2,
    });
    expect(result.segments[2]).toMatchObject({ status: "succeeded", bytes: 20_000, attempts: 1 });
    await expectCleanFinish(env, result.segments, ids(4));
  });

  it("never keeps a corrupted output: the segment fails verification and nothing of it is left on disk", async () => {
    const { env, td } = await setup();
    const segments = (await syntheticInputs(env, 4)).map((s, i) =>
      i === 3 ? { ...s, params: { faults: { corruptOutput: true } } } : s,
    );
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      maxParallelTasks: 2,
      segmentsPerBatch: 2,
      retry: { segmentAttempts: 2, minBackoffMs: 50, maxBackoffMs: 500 },
    });
    expect(result.failures.map((f) => [f.id, f.error?.code, f.attempts])).toEqual([
      ["seg-003", "INTEGRITY_MISMATCH", 2],
    ]);
    await expectCleanFinish(env, result.segments, ids(3));
  });

  it("stops every task when the signal aborts mid-run, then rejects with the signal's reason", async () => {
    const { env, td } = await setup();
    const segments = await syntheticInputs(env, 9);
    const controller = new AbortController();
    const reason = new Error("user pressed stop");
    const downloaded: Extract<FanoutEvent, { type: "segment.downloaded" }>[] = [];
    const run = executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { ...SYNTHETIC, ms: 400 },
      maxParallelTasks: 3,
      segmentsPerBatch: 3,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type !== "segment.downloaded") return;
        downloaded.push(e);
        if (downloaded.length === 2) controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(await runningTaskArns(env)).toEqual([]);
    // Whatever landed is complete and verified; no temp file survives.
    const files = await outputFiles(env);
    expect(files.every((f) => !f.startsWith("."))).toBe(true);
    expect(files.length).toBeLessThan(9);
    for (const e of downloaded) {
      expect(
        createHash("sha256")
          .update(await readFile(e.path ?? ""))
          .digest("hex"),
      ).toBe(e.sha256);
    }
  });
});
