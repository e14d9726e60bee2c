import type { z } from "zod";
import type { WorkerConfig } from "../config.js";
import type { LogSink } from "../log.js";

/** What a processor gets for one job. */
export interface ProcessorContext<O> {
  jobId: string;
  /** The uploaded input, already on disk. */
  inputPath: string;
  inputBytes: number;
  /** Write the result here (unless the result names another path). */
  outputPath: string;
  /** A private scratch folder for this job, removed with the job. */
  scratchDir: string;
  options: O;
  config: WorkerConfig;
  signal: AbortSignal;
  /** 0..1; the worker logs every 10 % and wakes long polls. */
  onProgress(fraction: number): void;
  log: LogSink;
  /** Test-only: makes the whole worker stop at once with this exit code (a simulated crash). */
  crash(exitCode: number): void;
}

/** Faults the output route applies when serving this job (synthetic processor only). */
export interface DownloadFaults {
  /** The first GET of the output closes the socket after this many bytes. */
  truncateDownloadAfterBytes?: number;
  /** Served bytes differ from the reported sha256. */
  corruptOutput?: boolean;
}

/** What a processor hands back when its job succeeded. */
export interface ProcessorResult {
  /** Served as the output's Content-Type. */
  contentType: string;
  /** Defaults to the context's outputPath. */
  outputPath?: string;
  faults?: DownloadFaults;
}

/**
 * One kind of job the worker can run, chosen by `processor` in `x-fanout-params`. `O` is the
 * processor's normalized options.
 */
export interface Processor<O = unknown> {
  /** The name clients put in `x-fanout-params` (e.g. "ffmpeg-scale"). */
  readonly name: string;
  /** One line for humans (listed by the README and logs). */
  readonly description: string;
  /** null when usable with this config, else why not (e.g. "set FANOUT_REALESRGAN_BIN"). */
  unavailableReason(config: WorkerConfig): string | null;
  /**
   * The strict schema of its options in x-fanout-params (the `processor` key removed): an
   * unknown or wrong option is a 400 listing every problem; defaults are applied here.
   */
  readonly params: z.ZodType<O, unknown>;
  /**
   * Runs one job: reads `ctx.inputPath`, writes `ctx.outputPath`, stops when `ctx.signal` aborts.
   * A thrown error fails only this job (its `code` and message reach the job status).
   */
  run(ctx: ProcessorContext<O>): Promise<ProcessorResult>;
}
