import type { TaskSnapshot } from "../ecs/snapshot.js";
import { computeMetrics } from "../metrics.js";
import type { RegionPricing } from "../options/pricing.js";
import { costOfTask, s3RequestsCost } from "../pricing/cost.js";
import type { BatchRunResult, SegmentResult, SegmentS3Output, TaskResult } from "../result.js";
import type { S3RequestCount } from "../s3/request-count.js";
import type { FleetTask } from "./fleet-task.js";
import type { SegmentState } from "./queue.js";
import type { SegmentOutput } from "./segment-output.js";

/** A settled segment as the caller sees it (frozen). */
export function segmentResultOf(state: SegmentState): SegmentResult {
  const ok = state.status === "succeeded";
  return Object.freeze({
    id: state.segment.id,
    status: ok ? "succeeded" : "failed",
    outputPath: ok ? state.output?.path : undefined,
    s3: ok && state.output?.s3 !== undefined ? withoutEtag(state.output.s3) : undefined,
    bytes: ok ? state.output?.bytes : undefined,
    sha256: ok ? state.output?.sha256 : undefined,
    attempts: state.attempts,
    taskArn: state.taskArn,
    timings: state.timings,
    error: ok ? undefined : (state.error ?? { code: "UNKNOWN", message: "segment failed" }),
    logTail: ok ? undefined : state.logTail,
    resumedFrom: state.resumedFrom,
  } satisfies SegmentResult);
}

/** ECS's own account of a stop, e.g. "SpotInterruption: Your Spot Task was interrupted.". */
const ecsStopOf = (s: TaskSnapshot): string =>
  [s.stopCode, s.stoppedReason].filter(Boolean).join(": ") || "lost";

/** One task's result with billing applied; `publicIp`: the run's tasks have a public IPv4 address. */
export function taskResultOf(
  task: FleetTask,
  pricing: RegionPricing,
  now: Date,
  publicIp = false,
): TaskResult {
  const s = task.snapshot;
  const cost = costOfTask(
    {
      createdAt: s.createdAt ?? task.launchedAt,
      pullStartedAt: s.pullStartedAt,
      stoppedAt: s.stoppedAt,
      launchType: s.launchType,
      capacityProvider: s.capacityProvider,
      cpuUnits: s.cpu,
      memoryMiB: s.memory,
      gpus: s.gpus,
      instanceType: task.instanceType,
      publicIp,
    },
    pricing,
    now,
  );
  return Object.freeze({
    taskArn: task.arn,
    launchType: s.launchType,
    capacityProvider: s.capacityProvider,
    cpu: s.cpu,
    memory: s.memory,
    gpus: s.gpus,
    instanceType: task.instanceType,
    replacementFor: task.replacementFor,
    launchedAt: task.launchedAt,
    createdAt: s.createdAt,
    pullStartedAt: s.pullStartedAt,
    pullStoppedAt: s.pullStoppedAt,
    startedAt: s.startedAt,
    readyAt: task.readyAt,
    stopRequestedAt: task.stopRequestedAt,
    stoppedAt: s.stoppedAt,
    stopCode: s.stopCode,
    stoppedReason: s.stoppedReason,
    exitCode: s.exitCode,
    // A task that drained through a Spot notice was not given up, but did stop early: ECS says why.
    lostBecause: task.lostBecause ?? (task.unexpectedStop ? ecsStopOf(s) : undefined),
    lastStatus: s.lastStatus,
    segmentsSucceeded: task.segmentsSucceeded,
    segmentsAttempted: task.segmentsAttempted,
    processingSeconds: task.processMs / 1000,
    billedSeconds: cost.billedSeconds,
    billingEstimated: s.stoppedAt === undefined,
    costUsd: cost.costUsd,
  } satisfies TaskResult);
}

/** Assembles the final result: segments in input order, every launched task, metrics. */
export function buildResult(input: {
  runId: string;
  cluster: string;
  plannedTasks: number;
  slotsPerTask: number;
  lookAhead: boolean;
  startedAt: Date;
  settledAt: Date;
  states: readonly SegmentState[];
  tasks: readonly FleetTask[];
  pricing: RegionPricing;
  /** The run's tasks have a public IPv4 address (charged per hour). @default false */
  publicIp?: boolean;
  prior?: Parameters<typeof computeMetrics>[0]["prior"];
  /** S3 requests the run made or presigned; undefined when it used no S3. */
  s3Requests?: S3RequestCount | undefined;
}): BatchRunResult {
  const now = new Date();
  const segments = input.states.map(segmentResultOf);
  const tasks = input.tasks.map((t) => taskResultOf(t, input.pricing, now, input.publicIp));
  const failures = segments.filter((s) => s.status === "failed");
  const rep = input.tasks.find((t) => t.readyAt !== undefined) ?? input.tasks[0];
  const metrics = computeMetrics({
    startedAt: input.startedAt,
    settledAt: input.settledAt,
    plannedTasks: input.plannedTasks,
    slotsPerTask: input.slotsPerTask,
    lookAhead: input.lookAhead,
    tasks: tasks.map((t) => ({
      launchedAt: t.launchedAt,
      readyAt: t.readyAt,
      billedSeconds: t.billedSeconds,
      costUsd: t.costUsd,
    })),
    segments: input.states.map((s) => ({
      succeeded: s.status === "succeeded",
      workMs: s.timings === undefined ? 0 : s.timings.uploadMs + s.timings.processMs + s.timings.downloadMs,
      transferMs: s.timings === undefined ? 0 : s.timings.uploadMs + s.timings.downloadMs,
      processMsAllAttempts: s.processMsTotal,
    })),
    representative:
      rep === undefined
        ? undefined
        : {
            launchType: rep.snapshot.launchType,
            capacityProvider: rep.snapshot.capacityProvider,
            cpuUnits: rep.snapshot.cpu,
            memoryMiB: rep.snapshot.memory,
            gpus: rep.snapshot.gpus,
            instanceType: rep.instanceType,
            publicIp: input.publicIp,
          },
    pricing: input.pricing,
    prior: input.prior,
  });
  return Object.freeze({
    runId: input.runId,
    cluster: input.cluster,
    plannedTasks: input.plannedTasks,
    tasksLaunched: tasks.length,
    segments: Object.freeze(segments),
    succeeded: segments.length - failures.length,
    failed: failures.length,
    failures: Object.freeze(failures),
    tasks: Object.freeze(tasks),
    metrics: Object.freeze(
      input.s3Requests === undefined
        ? metrics
        : {
            ...metrics,
            s3Requests: Object.freeze({
              put: input.s3Requests.put,
              get: input.s3Requests.get,
              costUsd: s3RequestsCost(input.s3Requests, input.pricing),
            }),
          },
    ),
    startedAt: input.startedAt,
    finishedAt: now,
  });
}

/** The result's S3 fields (the ETag stays internal). */
function withoutEtag(s3: NonNullable<SegmentOutput["s3"]>): SegmentS3Output {
  return s3.versionId === undefined
    ? { uri: s3.uri, bytes: s3.bytes, sha256: s3.sha256 }
    : { uri: s3.uri, versionId: s3.versionId, bytes: s3.bytes, sha256: s3.sha256 };
}
