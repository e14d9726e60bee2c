import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { ProcessorError } from "../errors.js";
import type { Processor, ProcessorContext } from "./types.js";

const MAX_SYNTHETIC_BYTES = 64 * 1024 ** 3;
const size = () => z.number().int().min(0).max(MAX_SYNTHETIC_BYTES);

/** Params of the benchmark/test processor; strict at every depth. */
export const syntheticParams = z.strictObject({
  /** Simulated processing time. @default 0 */
  ms: z.number().int().min(0).max(86_400_000).default(0),
  /** Output size. @default the input's size */
  bytes: size().optional(),
  /** Output bytes depend only on (seed, bytes). @default the job id */
  seed: z.string().min(1).max(256).optional(),
  /** When set the job fails with this message (code SYNTHETIC_FAILURE) after `ms`. */
  fail: z.string().min(1).max(2000).optional(),
  /** Progress updates spread over `ms`. @default 10 */
  progressSteps: z.number().int().min(1).max(10_000).default(10),
  /** @default {} */
  faults: z
    .strictObject({
      /** The first GET of the output closes the socket after this many bytes. */
      truncateDownloadAfterBytes: size().optional(),
      /** Served bytes differ from the reported sha256. */
      corruptOutput: z.boolean().optional(),
      /** The worker process stops with this exit code halfway through the job (a simulated crash). */
      exitDuringJob: z.number().int().min(0).max(255).optional(),
      /**
       * The job holds this many MiB (touched, outside V8's heap) from its start to its end: a
       * job that outgrows its task's memory, for out-of-memory kills under a cgroup limit.
       */
      holdMemoryMiB: z.number().int().min(1).max(65_536).optional(),
    })
    .default({}),
});

/** The synthetic processor's options after defaults are applied. */
export type SyntheticOptions = z.output<typeof syntheticParams>;

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
  const held = Array.from({ length: faults.holdMemoryMiB ?? 0 }, () => Buffer.alloc(1 << 20, 1));
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
  held.length = 0;
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
  params: syntheticParams,
  run,
};
