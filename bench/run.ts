/**
 * `pnpm bench` — runs every benchmark section and writes docs/benchmarks.md + docs/benchmarks.json.
 * `pnpm bench -- --smoke` runs tiny sizes in seconds and writes to bench-out/ (gitignored) unless
 * `--out DIR` says otherwise. `--only a,b` runs some sections; with `--merge` the others are kept
 * from the report already in the output directory (same mode), so one section can be re-measured
 * on a quiet machine without re-running the rest. Never fails on a missed target:
 * targets are reported, not enforced (timings vary by machine); it fails only when a section
 * cannot run at all.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeMachine } from "./lib/machine.js";
import { repoRoot } from "./lib/paths.js";
import { type BenchReport, renderMarkdown } from "./lib/report.js";
import { type BenchSection, round, type SectionId, type SectionResult } from "./lib/types.js";

/**
 * Sections load lazily, so one that cannot even import (a package missing or broken) is reported
 * as failed while the others still run.
 */
export const sections: Array<{ id: SectionId; title: string; load(): Promise<BenchSection> }> = [
  {
    id: "scheduling",
    title: "Scheduling: dynamic queue vs static contiguous split",
    load: async () => (await import("./sections/scheduling.js")).scheduling,
  },
  {
    id: "api-economy",
    title: "API economy",
    load: async () => (await import("./sections/api-economy.js")).apiEconomy,
  },
  {
    id: "streaming",
    title: "Streaming outputs",
    load: async () => (await import("./sections/streaming.js")).streaming,
  },
  {
    id: "worker-overhead",
    title: "Worker overhead (ffmpeg-scale)",
    load: async () => (await import("./sections/worker-overhead.js")).workerOverhead,
  },
  {
    id: "predecessor",
    title: "The predecessor's scenario: 8 segments on 4 tasks",
    load: async () => (await import("./sections/predecessor.js")).predecessor,
  },
  {
    id: "s3",
    title: "S3 data plane",
    load: async () => (await import("./sections/s3.js")).s3,
  },
  {
    id: "seams",
    title: "Seams: a fanned-out temporal upscale against one pass",
    load: async () => (await import("./sections/seams.js")).seams,
  },
  {
    id: "faults",
    title: "Faults: Spot interruptions, crashes and refused placements against a fair lower bound",
    load: async () => (await import("./sections/faults.js")).faults,
  },
];

export interface BenchOptions {
  smoke: boolean;
  seed: number;
  only?: string[];
  /** Keep the sections not re-run from `outDir/benchmarks.json`. */
  merge?: boolean;
  outDir: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();
  const results: SectionResult[] = [];
  for (const entry of sections) {
    if (options.only && !options.only.includes(entry.id)) continue;
    const section = { id: entry.id, title: entry.title };
    const workDir = await mkdtemp(path.join(os.tmpdir(), `ecs-fanout-bench-${section.id}-`));
    const sectionStarted = Date.now();
    const loadBefore = os.loadavg()[0] ?? 0;
    const loadAverage = () => ({ before: round(loadBefore, 2), after: round(os.loadavg()[0] ?? 0, 2) });
    log(`[bench] ${section.id}: running${options.smoke ? " (smoke)" : ""}`);
    try {
      const loaded = await entry.load();
      // A section that hangs (a bug in what it measures) fails with a timeout instead of hanging the bench.
      const sectionSignal = AbortSignal.any([signal, AbortSignal.timeout(options.smoke ? 120_000 : 900_000)]);
      const result = await loaded.run({
        smoke: options.smoke,
        seed: options.seed,
        workDir,
        log,
        signal: sectionSignal,
      });
      results.push({
        id: section.id,
        title: section.title,
        durationMs: Date.now() - sectionStarted,
        loadAverage: loadAverage(),
        measuredAt: new Date(sectionStarted).toISOString(),
        cpu: describeMachine().cpuModel,
        ...result,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`[bench] ${section.id}: failed: ${message}`);
      results.push({
        id: section.id,
        title: section.title,
        method: "",
        status: "failed",
        reason: message.split("\n").slice(0, 6).join(" / "),
        metrics: [],
        targets: [],
        notes: [],
        durationMs: Date.now() - sectionStarted,
        loadAverage: loadAverage(),
        measuredAt: new Date(sectionStarted).toISOString(),
        cpu: describeMachine().cpuModel,
      });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    log(`[bench] ${section.id}: done in ${((Date.now() - sectionStarted) / 1000).toFixed(1)} s`);
  }
  const report: BenchReport = {
    version: 1,
    mode: options.smoke ? "smoke" : "full",
    seed: options.seed,
    machine: describeMachine(),
    durationMs: Date.now() - started,
    sections: options.merge ? await mergeWithEarlier(options, results) : results,
  };
  await mkdir(options.outDir, { recursive: true });
  await writeFile(path.join(options.outDir, "benchmarks.json"), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(options.outDir, "benchmarks.md"), renderMarkdown(report));
  return report;
}

/** The sections of the earlier report in outDir (same mode) that this run did not re-measure, in section order. */
async function mergeWithEarlier(options: BenchOptions, fresh: SectionResult[]): Promise<SectionResult[]> {
  let earlier: SectionResult[] = [];
  try {
    const parsed = JSON.parse(
      await readFile(path.join(options.outDir, "benchmarks.json"), "utf8"),
    ) as BenchReport;
    if (parsed.version === 1 && parsed.mode === (options.smoke ? "smoke" : "full")) earlier = parsed.sections;
  } catch {
    // No earlier report (or an unreadable one): this run's sections are the report.
  }
  const byId = new Map<string, SectionResult>(earlier.map((s) => [s.id, s]));
  for (const s of fresh) byId.set(s.id, s);
  return sections.flatMap((entry) => byId.get(entry.id) ?? []);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      smoke: { type: "boolean", default: false },
      seed: { type: "string", default: "6" },
      only: { type: "string" },
      merge: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const smoke = values.smoke ?? false;
  const outDir = path.resolve(values.out ?? path.join(repoRoot, smoke ? "bench-out" : "docs"));
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new Error("interrupted")));
  const report = await runBench({
    smoke,
    seed: Number(values.seed),
    outDir,
    merge: values.merge ?? false,
    signal: controller.signal,
    ...(values.only ? { only: values.only.split(",") } : {}),
  });
  process.stderr.write(`[bench] wrote ${path.join(outDir, "benchmarks.md")} and benchmarks.json\n`);
  const failed = report.sections.filter((section) => section.status === "failed");
  if (failed.length > 0) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  await main();
}
