import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { redactUrls } from "@ecs-fanout/protocol";
import type { WorkerConfig } from "./config.js";
import type { LogSink } from "./log.js";
import type { DownloadFaults, Processor } from "./processors/types.js";
import type { JobOutputInfo, JobState, JobStatus } from "./protocol.js";
import { hashOutput, type OutputDigests } from "./storage.js";

const MAX_ERROR_MESSAGE = 1_000;

/** One job as the worker keeps it; {@link toStatus} is what goes on the wire. */
export interface Job {
  readonly id: string;
  readonly processor: Processor<unknown>;
  readonly options: unknown;
  readonly inputPath: string;
  /** Known once the input is on disk (an S3 input is fetched after the job is accepted). */
  inputSha256: string;
  inputBytes: number;
  readonly dir: string;
  readonly acceptedAt: number;
  uploadMs: number;
  /** True while the input is still being fetched from S3. */
  fetching?: boolean;
  /** Part size the output's per-part checksums are computed for (S3 multipart). */
  readonly partBytes?: number | undefined;
  state: JobState;
  progress: number;
  error?: { code: string; message: string };
  output?: JobOutputInfo & { path: string; parts?: OutputDigests["parts"] };
  /** True while the output is being put in S3 (one upload at a time per job). */
  uploadingToS3?: boolean;
  faults?: DownloadFaults;
  startedAt?: number;
  finishedAt?: number;
  /** How many output GETs started (the truncate fault hits only the first). */
  downloads: number;
  readonly abort: AbortController;
  deleted: boolean;
}

export function toStatus(job: Job): JobStatus {
  const now = Date.now();
  const timings: JobStatus["timings"] = { uploadMs: job.uploadMs };
  timings.queuedMs = (job.startedAt ?? (job.finishedAt || now)) - job.acceptedAt;
  if (job.startedAt !== undefined) timings.processMs = (job.finishedAt ?? now) - job.startedAt;
  if (job.finishedAt !== undefined) timings.totalMs = job.finishedAt - job.acceptedAt;
  return {
    jobId: job.id,
    status: job.state,
    progress: Math.round(job.progress * 1000) / 1000,
    processor: job.processor.name,
    // An S3 input still being fetched, or whose fetch failed, has no digest to show yet.
    ...(job.fetching || job.inputSha256 === ""
      ? {}
      : { input: { bytes: job.inputBytes, sha256: job.inputSha256 } }),
    ...(job.error ? { error: job.error } : {}),
    ...(job.output
      ? {
          output: {
            bytes: job.output.bytes,
            sha256: job.output.sha256,
            contentType: job.output.contentType,
            ...(job.output.md5 === undefined ? {} : { md5: job.output.md5 }),
            ...(job.output.parts === undefined ? {} : { parts: job.output.parts }),
          },
        }
      : {}),
    timings,
    attempts: 1,
  };
}

/**
 * Turns anything a processor threw into the short `{code, message}` a client sees. File paths
 * lose their folders: a client learns nothing about the worker's disk layout.
 */
export function toJobError(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  const code =
    typeof e?.code === "string" ? e.code : e?.name === "AbortError" ? "ABORTED" : "PROCESSOR_FAILED";
  let message = redactUrls(
    redactPaths(typeof e?.message === "string" && e.message ? e.message : String(error)),
  );
  if (message.length > MAX_ERROR_MESSAGE) message = `${message.slice(0, MAX_ERROR_MESSAGE)}…`;
  return { code, message };
}

/** `/var/tmp/w/jobs/seg-1/input.mp4` → `input.mp4`, wherever an absolute path appears. */
export function redactPaths(message: string): string {
  return message.replace(/(^|[\s'"(=:,[])(?:file:)?\/+(?:[^\s'"/:,)\]]+\/+)+([^\s'"/:,)\]]*)/g, "$1$2");
}

/** The job ran longer than FANOUT_MAX_JOB_SECONDS. */
class JobTimeoutError extends Error {
  readonly code = "JOB_TIMEOUT";
}

const isTerminal = (state: JobState) => state === "succeeded" || state === "failed";

/** Holds the jobs, runs them behind `slots`, wakes long polls. */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private readonly listeners = new Set<() => void>();
  private running = 0;
  /** Jobs whose input is still being fetched from S3. */
  private fetchingNow = 0;

  constructor(
    private readonly config: WorkerConfig,
    private readonly log: LogSink,
    private readonly crash: (exitCode: number) => void,
  ) {}

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  get busy(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queued plus running. */
  get inFlight(): number {
    return this.running + this.queue.length + this.fetchingNow;
  }

  add(job: Job): void {
    this.jobs.set(job.id, job);
    this.queue.push(job);
    this.log({
      event: "job.accepted",
      jobId: job.id,
      processor: job.processor.name,
      inputBytes: job.inputBytes,
      inputSha256: job.inputSha256,
      uploadMs: job.uploadMs,
      queuePosition: this.queue.length,
    });
    this.pump();
  }

  /**
   * Accepts a job whose input is still to be fetched (from S3): it is listed at once (status
   * queued, no input yet) and joins the queue once `fetch` has put its input on disk, so the
   * fetch overlaps whatever runs now and takes no slot. A failed fetch fails the job.
   */
  addFetching(job: Job, fetch: (signal: AbortSignal) => Promise<{ bytes: number; sha256: string }>): void {
    job.fetching = true;
    this.fetchingNow++;
    this.jobs.set(job.id, job);
    this.log({ event: "job.accepted", jobId: job.id, processor: job.processor.name, source: "s3" });
    const started = Date.now();
    void fetch(job.abort.signal)
      .finally(() => {
        this.fetchingNow--;
      })
      .then(
        ({ bytes, sha256 }) => {
          if (job.deleted) return;
          job.inputBytes = bytes;
          job.inputSha256 = sha256;
          job.uploadMs = Date.now() - started;
          job.fetching = false;
          this.log({
            event: "job.fetched",
            jobId: job.id,
            inputBytes: bytes,
            inputSha256: sha256,
            fetchMs: job.uploadMs,
          });
          this.queue.push(job);
          this.pump();
          this.notify();
        },
        (error: unknown) => {
          if (job.deleted) return;
          job.fetching = false;
          job.error = toJobError(error);
          job.state = "failed";
          job.finishedAt = Date.now();
          this.log({
            event: "job.failed",
            level: "error",
            jobId: job.id,
            processor: job.processor.name,
            error: job.error,
          });
          void rm(job.inputPath, { force: true }).catch(() => {});
          this.notify();
        },
      );
  }

  /** Forgets a job: aborts it if running and frees its disk. */
  async delete(id: string): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job) return false;
    job.deleted = true;
    this.jobs.delete(id);
    const queuedAt = this.queue.indexOf(job);
    // A fetch in flight stops with the job's abort.
    if (queuedAt >= 0) this.queue.splice(queuedAt, 1);
    job.abort.abort(new Error("job deleted"));
    await rm(job.dir, { recursive: true, force: true });
    this.log({ event: "job.deleted", jobId: id, status: job.state });
    this.notify();
    return true;
  }

  /**
   * Resolves when the job's status moves past `state` (or it is deleted), the time is up, or
   * `signal` aborts. Progress alone does not count: the protocol's long poll answers on status.
   */
  waitForStatusChange(job: Job, state: JobState, ms: number, signal: AbortSignal): Promise<void> {
    if (job.state !== state || isTerminal(job.state) || ms <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const check = () => {
        if (job.state !== state || job.deleted) done();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(check);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.inFlight === 0) {
          this.listeners.delete(check);
          resolve();
        }
      };
      this.listeners.add(check);
    });
  }

  /** Finished outputs no client has deleted yet (it deletes a job once it downloaded the output). */
  get undelivered(): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.state === "succeeded" && !job.deleted) n++;
    return n;
  }

  /** Resolves once nothing is queued or running and every finished output was deleted by its client. */
  whenDelivered(): Promise<void> {
    const done = () => this.inFlight === 0 && this.undelivered === 0;
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (done()) {
          this.listeners.delete(check);
          resolve();
        }
      };
      this.listeners.add(check);
    });
  }

  /** Stops everything now (shutdown deadline, force). */
  abortAll(reason: string): void {
    this.queue.length = 0;
    for (const job of this.jobs.values()) {
      if (job.state === "running" || job.fetching) job.abort.abort(new Error(reason));
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private pump(): void {
    while (this.running < this.config.slots && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.running++;
      void this.execute(job).finally(() => {
        this.running--;
        this.pump();
        this.notify();
      });
    }
  }

  private async execute(job: Job): Promise<void> {
    job.state = "running";
    job.startedAt = Date.now();
    this.notify();
    this.log({
      event: "job.started",
      jobId: job.id,
      processor: job.processor.name,
      queuedMs: job.startedAt - job.acceptedAt,
    });
    const scratchDir = path.join(job.dir, "scratch");
    const outputPath = path.join(job.dir, "output.mp4");
    let decile = 0;
    // The processor stops on a DELETE/shutdown (job.abort) or when its wall time is up.
    const run = new AbortController();
    const onAbort = () => run.abort(job.abort.signal.reason);
    job.abort.signal.addEventListener("abort", onAbort, { once: true });
    const wallTime = setTimeout(
      () =>
        run.abort(
          new JobTimeoutError(
            `job: expected to finish within FANOUT_MAX_JOB_SECONDS (${this.config.maxJobSeconds} s), got longer`,
          ),
        ),
      this.config.maxJobSeconds * 1000,
    );
    try {
      await mkdir(scratchDir, { recursive: true });
      const result = await job.processor.run({
        jobId: job.id,
        inputPath: job.inputPath,
        inputBytes: job.inputBytes,
        outputPath,
        scratchDir,
        options: job.options,
        config: this.config,
        signal: run.signal,
        log: this.log,
        crash: this.crash,
        onProgress: (fraction) => {
          if (job.state !== "running" || !Number.isFinite(fraction)) return;
          job.progress = Math.max(job.progress, Math.min(0.999, Math.max(0, fraction)));
          const reached = Math.floor(job.progress * 10);
          if (reached > decile) {
            decile = reached;
            this.log({ event: "job.progress", jobId: job.id, progress: decile / 10 });
          }
        },
      });
      const finalPath = result.outputPath ?? outputPath;
      const { sha256, bytes, md5, parts } = await hashOutput(finalPath, job.partBytes, run.signal);
      if (job.deleted) return;
      job.output = {
        path: finalPath,
        bytes,
        sha256,
        md5,
        contentType: result.contentType,
        ...(parts ? { parts } : {}),
      };
      job.faults = result.faults;
      job.progress = 1;
      job.state = "succeeded";
      job.finishedAt = Date.now();
      this.log({
        event: "job.succeeded",
        jobId: job.id,
        processor: job.processor.name,
        inputBytes: job.inputBytes,
        outputBytes: bytes,
        outputSha256: sha256,
        queuedMs: job.startedAt - job.acceptedAt,
        processMs: job.finishedAt - job.startedAt,
        totalMs: job.finishedAt - job.acceptedAt,
      });
    } catch (error) {
      if (job.deleted) return;
      const timedOut = run.signal.reason instanceof JobTimeoutError;
      job.error = toJobError(run.signal.aborted ? (run.signal.reason ?? error) : error);
      if (run.signal.aborted && !timedOut) job.error.code = "ABORTED";
      job.state = "failed";
      job.finishedAt = Date.now();
      this.log({
        event: "job.failed",
        level: "error",
        jobId: job.id,
        processor: job.processor.name,
        inputBytes: job.inputBytes,
        error: job.error,
        processMs: job.finishedAt - job.startedAt,
        totalMs: job.finishedAt - job.acceptedAt,
      });
    } finally {
      clearTimeout(wallTime);
      job.abort.signal.removeEventListener("abort", onAbort);
      await rm(scratchDir, { recursive: true, force: true }).catch(() => {});
      if (!job.deleted) this.notify();
    }
  }
}
