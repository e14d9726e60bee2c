/**
 * Fault matrix, transfers and bad segments: a download cut off half-way, a corrupted output,
 * a poison segment. Faults ride in the segment's synthetic params, so only that segment is hit.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { assertCleanRun, type Row, startRow } from "../support/matrix.js";

const KiB = 1024;
const plain = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `seg-${String(i).padStart(2, "0")}`, ms: 100 }));

describe("fault matrix: transfers and bad segments", () => {
  let row: Row | undefined;
  afterEach(async () => {
    await row?.close();
    row = undefined;
  });

  it("completes a download cut off half-way and never keeps a short file", async () => {
    row = await startRow();
    const bytes = 512 * KiB;
    const segments = await row.segments([
      ...plain(7),
      { id: "seg-cut", ms: 100, bytes, params: { faults: { truncateDownloadAfterBytes: bytes / 2 } } },
    ]);
    const result = await executeParallelBatches(row.options({ segments, maxParallelTasks: 2 }));
    await assertCleanRun(row, result);
    const cut = result.segments.find((s) => s.id === "seg-cut");
    expect(cut?.bytes).toBe(bytes);
    // The worker's own log shows the cut and a ranged resume from where the file on disk ended.
    const log = await readFile(path.join(row.dir, "logs", `${cut?.taskArn?.split("/").pop()}.log`), "utf8");
    const served = [...log.matchAll(/\{"ts".*\}/g)]
      .map((m) => JSON.parse(m[0]) as { event: string; jobId?: string; start?: number })
      .filter((e) => e.jobId?.startsWith("seg-cut."));
    expect(
      served.some((e) => e.event === "job.output.interrupted"),
      "the first download was cut",
    ).toBe(true);
    // The same job's output served again after the cut: a resume, not a retried attempt. It starts
    // from the bytes on disk, with Range; 0 when the cut reached the client before any chunk did
    // (an errored stream drops what it had buffered), which a loaded machine sometimes shows.
    const cutAt = served.findIndex((e) => e.event === "job.output.interrupted");
    const resumed = served
      .slice(cutAt + 1)
      .find((e) => e.event === "job.output.served" && e.jobId === served[cutAt]?.jobId);
    expect(resumed?.start, "resumed from the bytes already on disk").toBeLessThanOrEqual(bytes / 2);
  });

  it("rejects a corrupted output (sha256 mismatch) and reports the segment failed", async () => {
    row = await startRow();
    const segments = await row.segments([
      ...plain(7),
      { id: "seg-corrupt", ms: 100, params: { faults: { corruptOutput: true } } },
    ]);
    const result = await executeParallelBatches(
      row.options({
        segments,
        maxParallelTasks: 2,
        retry: { segmentAttempts: 2, minBackoffMs: 20, maxBackoffMs: 100 },
      }),
    );
    await assertCleanRun(row, result, { failed: ["seg-corrupt"] });
    const corrupt = result.failures[0];
    expect(corrupt?.attempts).toBe(2);
    expect(corrupt?.error?.code).toBe("INTEGRITY_MISMATCH");
    expect(corrupt?.error?.message).toMatch(/sha256/i);
  });

  it("reports a poison segment after N attempts with the worker's message and the task's log tail; the rest finish", async () => {
    row = await startRow();
    const message = "poisoned input: frame 42 cannot be decoded";
    const segments = await row.segments([
      ...plain(9),
      { id: "seg-poison", ms: 50, params: { fail: message } },
    ]);
    const result = await executeParallelBatches(
      row.options({
        segments,
        maxParallelTasks: 3,
        retry: { segmentAttempts: 3, minBackoffMs: 20, maxBackoffMs: 100 },
      }),
    );
    await assertCleanRun(row, result, { failed: ["seg-poison"] });
    const poison = result.failures[0];
    expect(poison?.attempts).toBe(3);
    expect(poison?.error?.message).toContain(message);
    expect(poison?.logTail?.length ?? 0, "log tail of the task").toBeGreaterThan(0);
    expect(poison?.logTail?.join("\n")).toContain("seg-poison");
  });
});
