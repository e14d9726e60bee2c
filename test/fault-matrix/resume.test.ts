/**
 * Fault matrix, crash and resume: a real orchestrator process is killed with SIGKILL mid-run; a
 * resumed run reads its manifest, reuses exactly the outputs it proves done, redoes what changed,
 * stops the tasks the killed run left, and reports the cost of both runs.
 */
import { readFile, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { executeParallelBatches, lastChain, readManifest } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  type Env,
  expectCleanFinish,
  registerWorker,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "../../packages/core/test/integration/helpers.js";
import { spawnOrchestrator } from "../support/child.js";
import { eventually } from "../support/processes.js";

describe("fault matrix: crash and resume", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("after kill -9 of the orchestrator, a resumed run does every segment exactly once and prices both runs", async () => {
    env = await startEnv();
    const current = env;
    // Long idle timeout: the killed run's workers would linger; the resume must stop them itself.
    const td = await registerWorker(current, "synthetic", {
      FANOUT_ENABLE_SYNTHETIC: "1",
      FANOUT_IDLE_TIMEOUT_SECONDS: "120",
    });
    const segments = await syntheticInputs(current, 12);
    const manifest = path.join(current.dir, "run.jsonl");
    const secret = "s3cr3t-never-written";
    const options = {
      ...baseOptions(current, td, segments),
      params: { processor: "synthetic", ms: 500, bytes: 20_000 },
      maxParallelTasks: 2,
      manifest,
      overrides: { environment: { VENDOR_API_KEY: secret } },
    };
    const child = spawnOrchestrator(options);
    await child
      .waitFor(() => child.lines.filter((l) => l.type === "segment.downloaded").length >= 4, 60_000)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\nlast lines: ${JSON.stringify(child.lines.slice(-3))}`);
      });
    child.child.kill("SIGKILL");
    expect((await child.exited).signal).toBe("SIGKILL");
    const killedRunId = child.lines.find((l) => l.type === "run.started")?.["runId"] as string;
    const killedTasks = child.lines
      .filter((l) => l.type === "task.launched")
      .map((l) => l["taskArn"] as string);
    // The killed run's workers are still there, holding (and billing for) their tasks.
    expect((await runningTaskArns(current)).length).toBeGreaterThan(0);

    // What the killed run wrote reads back cleanly, and says which segments it finished.
    const before = await readManifest(manifest);
    const doneBefore = before.records.flatMap((r) => (r.type === "segment.downloaded" ? [r.segmentId] : []));
    expect(doneBefore.length).toBeGreaterThanOrEqual(4);
    expect(before.records.some((r) => r.type === "run.metrics")).toBe(false);

    // Two of those no longer prove themselves: one output was cut short, one input changed (same size).
    const [cut, edited, ...intact] = doneBefore as [string, string, ...string[]];
    await truncate(path.join(current.outputDir, `${cut}.bin`), 10);
    const editedInput = segments.find((s) => s.id === edited)?.input as { path: string };
    await writeFile(editedInput.path, Buffer.alloc(4096, 0xee));

    const events: string[] = [];
    const result = await executeParallelBatches({
      ...options,
      resume: true,
      onEvent: (e) => {
        if (e.type === "segment.downloaded") events.push(e.segmentId);
      },
    });
    await expectCleanFinish(
      current,
      result.segments,
      segments.map((s) => s.id),
    );
    expect(
      await eventually(() => current.local.runningProcesses() === 0, 15_000),
      "worker processes left",
    ).toBe(true);

    const reused = result.segments.filter((s) => s.resumedFrom !== undefined).map((s) => s.id);
    expect(reused.sort()).toEqual([...intact].sort());
    for (const s of result.segments.filter((x) => x.resumedFrom !== undefined)) {
      expect(s.resumedFrom).toBe(killedRunId);
      expect(s.attempts).toBe(0);
    }
    // Every segment was finished by exactly one of the runs (the two that changed, by the second).
    expect([...events].sort()).toEqual(
      segments
        .map((s) => s.id)
        .filter((id) => !intact.includes(id))
        .sort(),
    );
    expect(new Set([...intact, ...events]).size).toBe(segments.length);

    // The metrics cover both runs, and say so.
    const m = result.metrics;
    expect(m.resumedFrom).toEqual([killedRunId]);
    expect(m.resumedSegments).toBe(intact.length);
    expect(m.priorCostUsd).toBeGreaterThan(0);
    const thisRun = result.tasks.reduce((sum, t) => sum + (t.costUsd ?? 0), 0);
    expect(m.totalCostUsd).toBeCloseTo(thisRun + (m.priorCostUsd ?? 0), 9);
    expect(m.priorWallSeconds).toBeGreaterThan(0);

    // The killed run's tasks were stopped by the resume and each is priced in the manifest.
    const after = await readManifest(manifest);
    const chain = lastChain(after);
    expect(chain.map((r) => r.runId)).toEqual([killedRunId, result.runId]);
    const billed = after.records.flatMap((r) => (r.type === "task.billed" ? [r] : []));
    for (const arn of killedTasks) {
      const line = billed.find((b) => b.taskArn === arn);
      expect(line?.fromRunId, arn).toBe(killedRunId);
      expect(line?.stoppedAt, arn).toBeDefined();
    }
    expect(await runningTaskArns(current)).toEqual([]);
    // Options are recorded by whitelist: an environment value never reaches the manifest, its name does.
    const text = await readFile(manifest, "utf8");
    expect(text).not.toContain(secret);
    expect(chain[0]?.started?.options?.overrides.environmentNames).toEqual(["VENDOR_API_KEY"]);
  });
});
