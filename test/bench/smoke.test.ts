/**
 * The benchmark's smoke mode, in CI: every section runs end to end on tiny sizes and the report
 * has every section with sane numbers. Timing targets are never asserted here — a loaded CI
 * machine would make that a coin toss; `pnpm bench` reports them.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../../bench/lib/report.js";
import { runBench, sections } from "../../bench/run.js";

describe("pnpm bench --smoke", () => {
  let outDir = "";
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("measures every section and writes a report with the machine described", {
    timeout: 240_000,
  }, async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "bench-smoke-"));
    const report = await runBench({ smoke: true, seed: 6, outDir, log: () => {} });

    const failures = report.sections
      .filter((s) => s.status !== "measured")
      .map((s) => `${s.id}: ${s.reason}`);
    expect(failures, "sections that did not measure").toEqual([]);
    expect(report.sections.map((s) => s.id)).toEqual(sections.map((s) => s.id));
    for (const section of report.sections) {
      expect(section.method.length, `${section.id} says how it measured`).toBeGreaterThan(50);
      expect(section.metrics.length, `${section.id} metrics`).toBeGreaterThan(0);
      for (const metric of section.metrics) {
        if (typeof metric.value === "number")
          expect(Number.isFinite(metric.value), `${section.id}: ${metric.name}`).toBe(true);
      }
      for (const t of section.targets) {
        expect(Number.isFinite(t.value) && t.value >= 0, `${section.id}: ${t.name} = ${t.value}`).toBe(true);
      }
    }

    const metric = (id: string, name: string) =>
      report.sections.find((s) => s.id === id)?.metrics.find((m) => m.name === name)?.value;
    // Sane, not fast: ratios of a makespan to its lower bound are ≥ 1; speedups positive.
    expect(metric("scheduling", "dynamic: makespan / lower bound")).toBeGreaterThanOrEqual(1);
    expect(metric("scheduling", "static split (real runs): makespan / lower bound")).toBeGreaterThanOrEqual(
      1,
    );
    expect(metric("predecessor", "our speedup")).toBeGreaterThan(0);
    expect(metric("streaming", "throughput ratio core over TLS / plain")).toBeGreaterThan(0);
    expect(metric("worker-overhead", "overhead ratio (median of paired repetitions)")).toBeGreaterThan(0);
    expect(metric("seams", "overlap 4, trim: every frame at its source time")).toBe("yes");
    expect(metric("seams", "no overlap: worst boundary frame PSNR vs one pass")).toBeLessThan(
      Number(metric("seams", "overlap 4, trim: worst boundary frame PSNR vs one pass")),
    );
    // Correctness is no coin toss: every faulted run ran each segment once, verified, and left nothing running.
    const correct = report.sections
      .find((s) => s.id === "faults")
      ?.targets.find((t) => t.name.startsWith("runs with every segment once"));
    expect(correct?.met).toBe(true);

    const json = JSON.parse(await readFile(path.join(outDir, "benchmarks.json"), "utf8")) as BenchReport;
    expect(json.mode).toBe("smoke");
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.node).toBe(process.version);
    const markdown = await readFile(path.join(outDir, "benchmarks.md"), "utf8");
    expect(markdown).toContain(json.machine.cpuModel);
    for (const section of sections) expect(markdown).toContain(section.title);
  });
});
