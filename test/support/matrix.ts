/**
 * The fault matrix's shared harness. Every row starts a fresh local ECS endpoint whose tasks run
 * the real worker (from source), runs a whole executeParallelBatches with synthetic segments, and
 * ends with `assertCleanRun`, which checks what every row must show:
 *  - every good segment's output is in outputDir exactly once, with the sha256 the worker reported
 *    (and the bytes anyone can recompute from the synthetic seed);
 *  - nothing else in outputDir: no duplicate, no temp file, no half-written output;
 *  - the result reports exactly the failures the row expects;
 *  - ListTasks (the real SDK, not the library) shows zero RUNNING tasks;
 *  - no worker process is left alive (local.runningProcesses() and a scan for the row's marker).
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { syntheticBytes } from "@ecs-fanout/worker";
import {
  type BatchRunOptions,
  type BatchRunResult,
  type FanoutEvent,
  MANIFEST_NAME,
  type Segment,
} from "ecs-fanout";
import { expect } from "vitest";
import { runningTaskArns } from "../../bench/lib/aws.js";
import {
  type Stack,
  type StackOptions,
  type SyntheticSegmentSpec,
  startStack,
  syntheticSegments,
} from "../../bench/lib/stack.js";
import { eventually, pidsWithMarker } from "./processes.js";

export interface Row {
  stack: Stack;
  dir: string;
  outputDir: string;
  events: FanoutEvent[];
  /** Expected output (bytes, sha256) of each synthetic segment, recomputed from its seed. */
  expected: Map<string, { bytes: number; sha256: string }>;
  segments(specs: readonly SyntheticSegmentSpec[]): Promise<Segment[]>;
  /** Quick defaults for a row: short polls, short backoffs, short timeouts. */
  options(overrides: Partial<BatchRunOptions> & { segments: readonly Segment[] }): BatchRunOptions;
  close(): Promise<void>;
}

export function sha256Of(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function syntheticSha256(seed: string, bytes: number): string {
  const hash = createHash("sha256");
  for (const chunk of syntheticBytes(seed, bytes)) hash.update(chunk);
  return hash.digest("hex");
}

export async function startRow(options: StackOptions = {}): Promise<Row> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "fanout-matrix-"));
  const outputDir = path.join(dir, "out");
  const stack = await startStack({
    timings: { provisioningMs: 20, pullMs: 20, spotNoticeMs: 1000, stopTimeoutMsScale: 0.1 },
    logDir: path.join(dir, "logs"),
    ...options,
    workerEnv: { FANOUT_IDLE_TIMEOUT_SECONDS: "60", FANOUT_STOP_TIMEOUT_SECONDS: "3", ...options.workerEnv },
  });
  const events: FanoutEvent[] = [];
  const expected = new Map<string, { bytes: number; sha256: string }>();
  return {
    stack,
    dir,
    outputDir,
    events,
    expected,
    async segments(specs) {
      for (const spec of specs) {
        const bytes = spec.bytes ?? 4096;
        expected.set(spec.id, { bytes, sha256: syntheticSha256(spec.id, bytes) });
      }
      return syntheticSegments(path.join(dir, "inputs"), specs);
    },
    options(overrides) {
      return {
        cluster: stack.cluster,
        taskDefinition: stack.taskDefinition,
        network: stack.network,
        outputDir,
        aws: stack.local.clientConfig,
        maxParallelTasks: 3,
        pollIntervalMs: 200,
        retry: { minBackoffMs: 50, maxBackoffMs: 400, segmentAttempts: 3 },
        timeouts: {
          taskStartMs: 30_000,
          workerReadyMs: 30_000,
          segmentMs: 30_000,
          httpMs: 5_000,
          missingMs: 20_000,
          stopWaitMs: 15_000,
        },
        apiRate: {
          modifyPerSecond: 50,
          modifyBurst: 50,
          readPerSecond: 50,
          readBurst: 50,
          otherPerSecond: 50,
          otherBurst: 50,
        },
        onEvent: (event) => events.push(event),
        ...overrides,
      };
    },
    async close() {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => !e.isDirectory()).map((e) => path.join(e.parentPath, e.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export interface CleanRunExpectation {
  /** Segment ids that must be reported failed; every other segment must have succeeded. */
  failed?: readonly string[];
  /** When the run rejected (abort, signal): there is no result, and outputs are checked on their own. */
  noResult?: boolean;
}

/** The checks every row ends with (see the module comment). */
export async function assertCleanRun(
  row: Row,
  result: BatchRunResult | undefined,
  expectation: CleanRunExpectation = {},
) {
  // The checks below are not part of the row: they must not be throttled themselves.
  row.stack.local.setFaults({ throttle: { fraction: 0 } });
  // The run's manifest lives beside the outputs; everything else there must be an output.
  const files = (await listFiles(row.outputDir)).filter((f) => path.basename(f) !== MANIFEST_NAME).sort();

  if (result) {
    const failed = result.segments
      .filter((s) => s.status === "failed")
      .map((s) => s.id)
      .sort();
    const why = result.failures.map((f) => `${f.id}: ${f.error?.code} ${f.error?.message}`).join("; ");
    expect(failed, `segments reported failed (${why})`).toEqual([...(expectation.failed ?? [])].sort());
    expect(result.failed).toBe(failed.length);
    expect(result.failures.map((f) => f.id).sort()).toEqual(failed);
    const succeeded = result.segments.filter((s) => s.status === "succeeded");
    expect(succeeded.length + failed.length, "every segment has exactly one result").toBe(
      result.segments.length,
    );
    expect(new Set(result.segments.map((s) => s.id)).size).toBe(result.segments.length);
    for (const segment of succeeded) {
      expect(segment.outputPath, `${segment.id} output path`).toBeDefined();
      const data = await readFile(segment.outputPath as string);
      expect(data.length, `${segment.id} size on disk`).toBe(segment.bytes);
      expect(sha256Of(data), `${segment.id} sha256 on disk vs reported`).toBe(segment.sha256);
      const truth = row.expected.get(segment.id);
      if (truth) expect(segment.sha256, `${segment.id} sha256 vs recomputed from seed`).toBe(truth.sha256);
    }
    // Exactly the succeeded outputs, nothing else: no duplicates, temp files or partial outputs.
    expect(files, "files in outputDir").toEqual(
      succeeded.map((s) => path.resolve(s.outputPath as string)).sort(),
    );
    for (const segment of result.segments.filter((s) => s.status === "failed")) {
      expect(segment.error?.message, `${segment.id} failure message`).toBeTruthy();
    }
  } else {
    // No result (the run rejected): whatever is in outputDir must be complete, correct outputs.
    for (const file of files) {
      const id = path.basename(file).replace(/\.bin$/, "");
      const truth = row.expected.get(id);
      expect(truth, `unexpected file in outputDir: ${file}`).toBeDefined();
      expect(sha256Of(await readFile(file)), `${file} is a complete, correct output`).toBe(truth?.sha256);
    }
  }

  expect(await runningTaskArns(row.stack.ecs, row.stack.cluster), "RUNNING tasks per ListTasks").toEqual([]);
  expect(
    await eventually(() => row.stack.local.runningProcesses() === 0, 15_000),
    "local.runningProcesses() is 0",
  ).toBe(true);
  expect(
    await eventually(async () => (await pidsWithMarker(row.stack.marker)).length === 0, 15_000),
    `no worker process of this row left (${(await pidsWithMarker(row.stack.marker)).join(", ")})`,
  ).toBe(true);
}

/** Ensures a directory exists (rows that pre-create outputDir). */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
