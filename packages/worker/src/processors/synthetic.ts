import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ProcessorError } from "../errors.js";
import { OptionReader } from "./options.js";
import type { DownloadFaults, Normalized, Processor, ProcessorContext } from "./types.js";

/** Benchmark/test processor: waits, then emits deterministic bytes. Enabled by FANOUT_ENABLE_SYNTHETIC=1. */
export interface SyntheticOptions {
  /** Simulated processing time. @default 0 */
  ms: number;
  /** Output size. @default the input's size */
  bytes?: number;
  /** Output bytes depend only on (seed, bytes). @default the job id */
  seed?: string;
  /** When set the job fails with this message (code SYNTHETIC_FAILURE) after `ms`. */
  fail?: string;
  /** Progress updates spread over `ms`. @default 10 */
  progressSteps: number;
  faults: DownloadFaults & {
    /** The worker process stops with this exit code halfway through the job (a simulated crash). */
    exitDuringJob?: number;
  };
}

const MAX_SYNTHETIC_BYTES = 64 * 1024 ** 3;

export function normalizeSynthetic(raw: Record<string, unknown>): Normalized<SyntheticOptions> {
  const read = new OptionReader(raw);
  const ms = read.number("ms", { min: 0, max: 86_400_000, integer: true }) ?? 0;
  const bytes = read.number("bytes", { min: 0, max: MAX_SYNTHETIC_BYTES, integer: true });
  const seed = read.string("seed", { maxLength: 256 });
  const fail = read.string("fail", { maxLength: 2000 });
  const progressSteps = read.number("progressSteps", { min: 1, max: 10_000, integer: true }) ?? 10;
  const faults =
    read.object("faults", (f) => ({
      truncateDownloadAfterBytes: f.number("truncateDownloadAfterBytes", {
        min: 0,
        max: MAX_SYNTHETIC_BYTES,
        integer: true,
      }),
      corruptOutput: f.boolean("corruptOutput"),
      exitDuringJob: f.number("exitDuringJob", { min: 0, max: 255, integer: true }),
    })) ?? {};
  read.finish();
  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  return { ok: true, options: { ms, bytes, seed, fail, progressSteps, faults } };
}

/**
 * The deterministic byte stream: sha256(`${seed}:${i}`) for block i = 0, 1, …,
 * cut to `bytes`. Anyone can recompute the expected output from (seed, bytes).
 */
export function* syntheticBytes(seed: string, bytes: number): Generator<Buffer> {
  const BLOCKS_PER_CHUNK = 2048; // 64 KiB per yielded chunk
  let produced = 0;
  let block = 0;
  while (produced < bytes) {
    const parts: Buffer[] = [];
    for (let i = 0; i < BLOCKS_PER_CHUNK && produced < bytes; i++, block++) {
      const digest = createHash("sha256").update(`${seed}:${block}`).digest();
      const take = Math.min(digest.length, bytes - produced);
      parts.push(take === digest.length ? digest : digest.subarray(0, take));
      produced += take;
    }
    yield Buffer.concat(parts);
  }
}

async function run(ctx: ProcessorContext<SyntheticOptions>) {
  const { ms, progressSteps, faults } = ctx.options;
  const stepMs = ms / progressSteps;
  for (let step = 1; step <= progressSteps; step++) {
    if (stepMs > 0) await sleep(stepMs, undefined, { signal: ctx.signal });
    if (faults.exitDuringJob !== undefined && step >= progressSteps / 2) {
      ctx.crash(faults.exitDuringJob);
      // The worker is going away; never finish this job.
      await new Promise(() => {});
    }
    ctx.onProgress(step / progressSteps);
  }
  if (ctx.options.fail !== undefined) {
    throw new ProcessorError("SYNTHETIC_FAILURE", ctx.options.fail, {
      processor: "synthetic",
      jobId: ctx.jobId,
    });
  }
  const seed = ctx.options.seed ?? ctx.jobId;
  const bytes = ctx.options.bytes ?? ctx.inputBytes;
  await pipeline(Readable.from(syntheticBytes(seed, bytes)), createWriteStream(ctx.outputPath), {
    signal: ctx.signal,
  });
  return {
    contentType: "application/octet-stream",
    faults: {
      truncateDownloadAfterBytes: faults.truncateDownloadAfterBytes,
      corruptOutput: faults.corruptOutput,
    },
  };
}

/**
 * Deterministic fake work for benchmarks and fault tests: sleeps, emits seeded bytes, fails or
 * crashes on request. Enabled only by FANOUT_ENABLE_SYNTHETIC=1.
 */
export const synthetic: Processor<SyntheticOptions> = {
  name: "synthetic",
  description: "Benchmarks and tests: sleeps `ms`, emits `bytes` deterministic bytes, optional faults",
  unavailableReason: (config) => (config.enableSynthetic ? null : "set FANOUT_ENABLE_SYNTHETIC=1"),
  normalize: normalizeSynthetic,
  run,
};
