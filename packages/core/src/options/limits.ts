import { z } from "zod";
import { int } from "./common.js";

/** Retries of one AWS call: shared by runs, listings and cleanups. */
export const awsRetryShape = {
  /**
   * Retries of a throttled or transient AWS call.
   * @default 8
   */
  awsRetries: int(0, 100).default(8),
  /**
   * First backoff delay in ms (doubles each retry, randomized ×1–2).
   * @default 1000
   */
  minBackoffMs: z.number().min(1).default(1000),
  /**
   * Largest backoff delay in ms.
   * @default 30000
   */
  maxBackoffMs: z.number().min(1).default(30_000),
};

/** Retries of AWS calls (listTasks, cleanupStaleTasks). */
export const awsRetrySchema = z.strictObject(awsRetryShape);

/** A run's retry policy. */
export const retrySchema = z.strictObject({
  /**
   * Attempts per segment before it is reported failed (each attempt may run on another task).
   * @default 3
   */
  segmentAttempts: int(1, 100).default(3),
  /**
   * Retries of a RunTask that failed for capacity/placement reasons (backoff with jitter).
   * @default 6
   */
  launchRetries: int(0, 100).default(6),
  ...awsRetryShape,
  /**
   * Replacement tasks launched for tasks lost mid-run (Spot interruption, crash).
   * @default the planned task count
   */
  maxReplacements: int(0).optional(),
  /**
   * Resumes (HTTP Range) of one cut download before the attempt fails.
   * @default 5
   */
  downloadResumes: int(0, 1000).default(5),
});

/** Time limits, in milliseconds. */
export const timeoutsSchema = z.strictObject({
  /** Launch → RUNNING. @default 600000 */
  taskStartMs: z.number().min(1).default(600_000),
  /** RUNNING → worker answers /v1/health. @default 180000 */
  workerReadyMs: z.number().min(1).default(180_000),
  /** One segment attempt on a worker (upload to downloaded). @default 3600000 */
  segmentMs: z.number().min(1).default(3_600_000),
  /** One HTTP request's headers (long polls add their wait). @default 30000 */
  httpMs: z.number().min(1).default(30_000),
  /** How long a just-launched task may be MISSING from DescribeTasks (eventual consistency). @default 60000 */
  missingMs: z.number().min(1).default(60_000),
  /** Bounded wait for STOPPED after StopTask, to read final billing timestamps. @default 120000 */
  stopWaitMs: z.number().min(1).default(120_000),
});

/**
 * How a run notices a worker that stopped answering (a hung host, a frozen VM, a cut network):
 * while a task serves, its worker's `/v1/health` is checked on a connection of its own, so a
 * check never waits behind the task's long polls, uploads and downloads. After `failures` checks
 * in a row without an answer the task is given up on: its work goes back to the queue (retries
 * first), it is stopped with the reason, and a replacement is launched while work remains.
 */
export const livenessSchema = z.strictObject({
  /** From the start of one check to the start of the next, in ms. @default 1000 */
  intervalMs: z.number().min(100).max(60_000).default(1000),
  /** How long one check may take before it counts as failed, in ms. @default 1500 */
  timeoutMs: z.number().min(100).max(60_000).default(1500),
  /** Failed checks in a row after which the task is given up on. @default 3 */
  failures: int(1, 100).default(3),
});

/** Client-side token buckets that keep calls well inside the account's API buckets. */
export const apiRateSchema = z.strictObject({
  /** RunTask/StopTask calls per second (account bucket: 40/s, Fargate RunTask 20/s). @default 4 */
  modifyPerSecond: z.number().min(0.01).default(4),
  /** @default 10 */
  modifyBurst: z.number().min(1).default(10),
  /** DescribeTasks/ListTasks/DescribeContainerInstances per second (account bucket: 20/s). @default 2 */
  readPerSecond: z.number().min(0.01).default(2),
  /** @default 10 */
  readBurst: z.number().min(1).default(10),
  /** EC2 and CloudWatch Logs calls per second. @default 5 */
  otherPerSecond: z.number().min(0.01).default(5),
  /** @default 10 */
  otherBurst: z.number().min(1).default(10),
});

/** Retry knobs as given. */
export type RetryOptions = z.input<typeof retrySchema>;
/** Time limits as given. */
export type TimeoutOptions = z.input<typeof timeoutsSchema>;
/** Liveness checks as given. */
export type LivenessOptions = z.input<typeof livenessSchema>;
/** API rates as given. */
export type ApiRateOptions = z.input<typeof apiRateSchema>;
/** API rates with every default applied. */
export type ApiRate = z.output<typeof apiRateSchema>;
