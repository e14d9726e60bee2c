/**
 * Fault matrix, crash and resume: a real orchestrator process is killed with SIGKILL mid-run; a
 * resumed run reads its manifest, reuses exactly the outputs it proves done, redoes what changed,
 * stops the tasks the killed run left, and reports the cost of both runs.
 */
import { readFile, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { executeParallelBatches, lastChain, readManifest } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { runningTaskArns } from "../../bench/lib/aws.js";
import { spawnOrchestrator } from "../support/child.js";
import { assertCleanRun, type Row, startRow } from "../support/matrix.js";
import { pidsWithMarker } from "../support/processes.js";

const specs = (count: number, ms: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `seg-${String(i).padStart(2, "0")}`, ms }));

describe("fault matrix: crash and resume", () => {
  let row: Row | undefined;
  afterEach(async () => {
    await row?.close();
    row = undefined;
  });

  it("after kill -9 of the orchestrator, a resumed run does every segment exactly once and prices both runs", async () => {
    // Long idle timeout: the killed run's workers would linger; the resume must stop them itself.
    row = await startRow({ workerEnv: { FANOUT_IDLE_TIMEOUT_SECONDS: "120" } });
    const segments = await row.segments(specs(12, 500));
    const manifest = path.join(row.dir, "run.jsonl");
    const secret = "s3cr3t-never-written";
    const overrides = { environment: { FANOUT_TEST_SECRET: secret } };
    const { onEvent: _onEvent, ...plain } = row.options({
      segments,
      maxParallelTasks: 2,
      manifest,
      overrides,
    });
    const child = spawnOrchestrator(plain as Parameters<typeof spawnOrchestrator>[0]);
    await child.waitFor(() => child.lines.filter((l) => l.type === "segment.downloaded").length >= 4, 60_000);
    child.child.kill("SIGKILL");
    expect((await child.exited).signal).toBe("SIGKILL");
    const killedRunId = child.lines.find((l) => l.type === "run.started")?.["runId"] as string;
    const killedTasks = child.lines
      .filter((l) => l.type === "task.launched")
      .map((l) => l["taskArn"] as string);
    // The killed run's workers are still there, holding (and billing for) their tasks.
    expect((await runningTaskArns(row.stack.ecs, row.stack.cluster)).length).toBeGreaterThan(0);

    // What the killed run wrote reads back cleanly, and says which segments it finished.
    const before = await readManifest(manifest);
    const doneBefore = before.records.flatMap((r) => (r.type === "segment.downloaded" ? [r.segmentId] : []));
    expect(doneBefore.length).toBeGreaterThanOrEqual(4);
    expect(before.records.some((r) => r.type === "run.metrics")).toBe(false);

    // Two of those no longer prove themselves: one output was cut short, one input changed (same size).
    const [cut, edited, ...intact] = doneBefore as [string, string, ...string[]];
    await truncate(path.join(row.outputDir, `${cut}.bin`), 10);
    await writeFile(path.join(row.dir, "inputs", `${edited}.in`), Buffer.alloc(1024, "changed"));

    const result = await executeParallelBatches(
      row.options({ segments, maxParallelTasks: 2, manifest, overrides, resume: true }),
    );
    await assertCleanRun(row, result);

    const reused = result.segments.filter((s) => s.resumedFrom !== undefined).map((s) => s.id);
    expect(reused.sort()).toEqual([...intact].sort());
    for (const s of result.segments.filter((x) => x.resumedFrom !== undefined)) {
      expect(s.resumedFrom).toBe(killedRunId);
      expect(s.attempts).toBe(0);
    }
    // Every segment was finished by exactly one of the runs (the two that changed, by the second).
    const doneAfter = row.events.flatMap((e) => (e.type === "segment.downloaded" ? [e.segmentId] : []));
    expect([...doneAfter].sort()).toEqual(
      segments
        .map((s) => s.id)
        .filter((id) => !intact.includes(id))
        .sort(),
    );
    expect(new Set([...intact, ...doneAfter]).size).toBe(segments.length);

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
    expect(await runningTaskArns(row.stack.ecs, row.stack.cluster)).toEqual([]);
    expect(await pidsWithMarker(row.stack.marker)).toEqual([]);
    // Options are recorded by whitelist: an environment value never reaches the manifest, its name does.
    const text = await readFile(manifest, "utf8");
    expect(text).not.toContain(secret);
    expect(chain[0]?.started?.options?.overrides.environmentNames).toEqual(["FANOUT_TEST_SECRET"]);
  });
});
