/** Timings of one segment attempt, in milliseconds. */
export interface SegmentTimings {
  readonly uploadMs: number;
  /** Time the job waited in the worker's queue (look-ahead). */
  readonly queuedMs: number;
  readonly processMs: number;
  readonly downloadMs: number;
}

/** An output that landed in S3: S3 confirmed the checksum the worker computed. */
export interface SegmentS3Output {
  /** `s3://bucket/key`. */
  readonly uri: string;
  /** The object's version, in a versioned bucket. */
  readonly versionId?: string | undefined;
  readonly bytes: number;
  /** SHA-256 (hex) of the object. */
  readonly sha256: string;
}

/** The outcome of one segment. */
export interface SegmentResult {
  readonly id: string;
  readonly status: "succeeded" | "failed";
  /** Final path in outputDir (succeeded only, and only when the run has an outputDir). */
  readonly outputPath: string | undefined;
  /** The output's verified object in S3 (succeeded S3 outputs only). Never a presigned URL. */
  readonly s3?: SegmentS3Output | undefined;
  readonly bytes: number | undefined;
  /** sha256 (hex) of the output, verified after download. */
  readonly sha256: string | undefined;
  /** Attempts used, including the successful one. */
  readonly attempts: number;
  /** Task ARN of the last attempt. */
  readonly taskArn: string | undefined;
  /** Timings of the last attempt. */
  readonly timings: SegmentTimings | undefined;
  /** Why it failed (failed only): the worker's message, or what went wrong. */
  readonly error: { readonly code: string; readonly message: string } | undefined;
  /** Tail of the task's CloudWatch log (failed only, when it could be read). */
  readonly logTail: readonly string[] | undefined;
  /** On resume: the earlier run whose verified output was reused (then `attempts` is 0). */
  readonly resumedFrom?: string | undefined;
}

/** What one task did and cost. */
export interface TaskResult {
  readonly taskArn: string;
  readonly launchType: string | undefined;
  readonly capacityProvider: string | undefined;
  /** Task CPU units and memory MiB as ECS reports them. */
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  readonly gpus: number;
  readonly instanceType: string | undefined;
  readonly replacementFor: string | undefined;
  readonly launchedAt: Date;
  readonly createdAt: Date | undefined;
  readonly pullStartedAt: Date | undefined;
  readonly pullStoppedAt?: Date | undefined;
  readonly startedAt: Date | undefined;
  readonly readyAt: Date | undefined;
  readonly stopRequestedAt: Date | undefined;
  readonly stoppedAt: Date | undefined;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;
  /** Exit code of the worker container as ECS reports it (e.g. 137 after SIGKILL), once it exited. */
  readonly exitCode: number | undefined;
  /**
   * Why this task stopped before its work was done: the run's reason when it gave the task up
   * (unreachable worker, crash…), else ECS's stop code and reason (a Spot interruption drained
   * through); undefined for a task that was stopped because it was finished.
   */
  readonly lostBecause: string | undefined;
  readonly lastStatus: string | undefined;
  readonly segmentsSucceeded: number;
  readonly segmentsAttempted: number;
  /** Seconds from worker ready to the last byte of its last segment spent inside processors. */
  readonly processingSeconds: number;
  readonly billedSeconds: number;
  /** True when stoppedAt was not yet known and `now` was used instead. */
  readonly billingEstimated: boolean;
  /** USD; undefined when no rate is known for the task's region/type. */
  readonly costUsd: number | undefined;
}

/** Run metrics exactly as docs/cost-model.md defines them. */
export interface RunMetrics {
  /** Start of the run (first AWS call) until every segment was settled. */
  readonly wallSeconds: number;
  /** Mean launch → worker-ready time of the tasks that became ready. */
  readonly startupSeconds: number;
  /** Sum over succeeded segments of upload + process + download seconds. */
  readonly workSeconds: number;
  /** One task's start-up + workSeconds. */
  readonly sequentialEstimateSeconds: number;
  /** sequentialEstimateSeconds / wallSeconds. */
  readonly speedupFactor: number;
  /**
   * sequentialEstimateSeconds / the shortest wall time any schedule on the same lanes (tasks ×
   * slots) could reach: startup + max(serial work per lane, longest segment), where serial work
   * is workSeconds without look-ahead, and with look-ahead (transfers overlap processing) the
   * processing seconds plus the smallest upload + download per lane. See docs/cost-model.md.
   */
  readonly idealSpeedup: number;
  /** speedupFactor / planned tasks. */
  readonly parallelEfficiency: number;
  /** Processor-busy seconds (all attempts) / billed seconds (all tasks). */
  readonly processingEfficiency: number;
  readonly billedSeconds: number;
  /** Every launched task, including lost and failed ones. Undefined when some rate is unknown. */
  readonly totalCostUsd: number | undefined;
  /** totalCostUsd / succeeded segments. */
  readonly costPerSegmentUsd: number | undefined;
  /** One task of the same size running sequentialEstimateSeconds (minimum charge applied). */
  readonly sequentialCostUsd: number | undefined;
  /** totalCostUsd / sequentialCostUsd − 1 (0.08 = 8 % more than running sequentially). */
  readonly costOverheadVsSequential: number | undefined;
  /**
   * The earlier runs this one resumed, oldest first; empty when it did not resume. When set,
   * every figure here covers the whole job: wall and billed seconds, work and cost include theirs.
   */
  readonly resumedFrom: readonly string[];
  /** Segments whose output an earlier run made and this one verified and reused. */
  readonly resumedSegments: number;
  /** The part of totalCostUsd the earlier runs spent (0 when none; undefined when some rate is unknown). */
  readonly priorCostUsd: number | undefined;
  /** The part of wallSeconds the earlier runs took (first to last manifest line of each). */
  readonly priorWallSeconds: number;
  /**
   * S3 requests this run made or presigned for its workers, by price tier, and what they cost
   * (undefined when the region has no listed S3 price). Not part of totalCostUsd, which is what
   * the tasks are billed. Undefined when the run used no S3.
   */
  readonly s3Requests?: S3RequestUsage | undefined;
}

/** S3 requests of a run: PUT-tier (PUT, POST, LIST) and GET-tier (GET, HEAD); DELETEs are free. */
export interface S3RequestUsage {
  readonly put: number;
  readonly get: number;
  readonly costUsd: number | undefined;
}

/** Everything a run produced. */
export interface BatchRunResult {
  readonly runId: string;
  readonly cluster: string;
  readonly plannedTasks: number;
  readonly tasksLaunched: number;
  readonly segments: readonly SegmentResult[];
  readonly succeeded: number;
  readonly failed: number;
  /** The failed segments (also in `segments`). */
  readonly failures: readonly SegmentResult[];
  readonly tasks: readonly TaskResult[];
  readonly metrics: RunMetrics;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}
