import type { RunNetwork } from "./options.js";
import type { BatchRunResult } from "./result.js";

interface EventBase {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly runId: string;
}

/** The run passed validation and is about to launch tasks. */
export interface RunStartedEvent extends EventBase {
  readonly type: "run.started";
  readonly segments: number;
  readonly plannedTasks: number;
  /** The networking every task is launched with; `defaultVpc` is set when it came from the default VPC. */
  readonly network: RunNetwork;
}

/** RunTask accepted a task. */
export interface TaskLaunchedEvent extends EventBase {
  readonly type: "task.launched";
  readonly taskArn: string;
  readonly launchType: string | undefined;
  readonly capacityProvider: string | undefined;
  /** Set when this task replaces one lost mid-run. */
  readonly replacementFor: string | undefined;
}

/** RunTask refused some or all of the tasks asked for. */
export interface TaskLaunchFailedEvent extends EventBase {
  readonly type: "task.launchFailed";
  readonly count: number;
  readonly reasons: readonly string[];
  readonly kind: "capacity" | "spot-capacity" | "configuration";
  readonly willRetry: boolean;
}

/** Spot capacity was unavailable; tasks are launched on-demand instead. */
export interface TaskFallbackEvent extends EventBase {
  readonly type: "task.fallback";
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly reason: string;
}

/** The task reached RUNNING and its address is known. */
export interface TaskRunningEvent extends EventBase {
  readonly type: "task.running";
  readonly taskArn: string;
  readonly host: string;
  readonly port: number;
}

/** The worker answered health and proved its identity; it now takes segments. */
export interface TaskReadyEvent extends EventBase {
  readonly type: "task.ready";
  readonly taskArn: string;
  readonly url: string;
  readonly startupMs: number;
}

/**
 * The task stopped, or — for a task lost mid-run (Spot interruption, crash, failed start,
 * unreachable worker) — the run gave it up; once per task. A lost task is reported the moment the
 * loss is noticed, with `expected: false`, even if ECS has not reported it STOPPED yet (then
 * `stopCode` is unknown; the final one is in the run's `TaskResult`).
 */
export interface TaskStoppedEvent extends EventBase {
  readonly type: "task.stopped";
  readonly taskArn: string;
  /** ECS's stop code, when ECS reported the task STOPPED. */
  readonly stopCode: string | undefined;
  /** ECS's stopped reason, when ECS reported the task STOPPED. */
  readonly stoppedReason: string | undefined;
  /** The worker container's exit code, when ECS reported it. */
  readonly exitCode?: number | undefined;
  /** False for tasks lost mid-run; true for tasks stopped because their work was done or the run ended. */
  readonly expected: boolean;
  /** Why the run gave the task up (lost tasks only). */
  readonly lostBecause?: string | undefined;
}

/** A segment's input reached a worker. */
export interface SegmentUploadedEvent extends EventBase {
  readonly type: "segment.uploaded";
  readonly segmentId: string;
  readonly taskArn: string;
  readonly attempt: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/** The worker started processing a segment. */
export interface SegmentStartedEvent extends EventBase {
  readonly type: "segment.started";
  readonly segmentId: string;
  readonly taskArn: string;
  readonly attempt: number;
}

/** Processing progress reported by the worker (0..1). */
export interface SegmentProgressEvent extends EventBase {
  readonly type: "segment.progress";
  readonly segmentId: string;
  readonly taskArn: string;
  readonly attempt: number;
  readonly progress: number;
}

/** A segment's output is verified and on disk at its final path. */
export interface SegmentDownloadedEvent extends EventBase {
  readonly type: "segment.downloaded";
  readonly segmentId: string;
  readonly taskArn: string;
  readonly attempt: number;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** A segment attempt failed; `willRetry` says whether it went back into the queue. */
export interface SegmentFailedEvent extends EventBase {
  readonly type: "segment.failed";
  readonly segmentId: string;
  readonly taskArn: string | undefined;
  readonly attempt: number;
  readonly code: string;
  readonly message: string;
  readonly willRetry: boolean;
}

/**
 * A task that ran out of work took back a look-ahead segment another task held but had not
 * started (so it does not wait behind that task's current job). The job on `fromTaskArn` was
 * cancelled; the segment is uploaded again to `toTaskArn`. Not a failed attempt.
 */
export interface SegmentTakenBackEvent extends EventBase {
  readonly type: "segment.takenBack";
  readonly segmentId: string;
  readonly fromTaskArn: string;
  readonly toTaskArn: string;
}

/** The run finished (all tasks stopped); carries the result. */
export interface RunFinishedEvent extends EventBase {
  readonly type: "run.finished";
  readonly result: BatchRunResult;
}

/** Every event a run emits, discriminated by `type`. */
export type FanoutEvent =
  | RunStartedEvent
  | TaskLaunchedEvent
  | TaskLaunchFailedEvent
  | TaskFallbackEvent
  | TaskRunningEvent
  | TaskReadyEvent
  | TaskStoppedEvent
  | SegmentUploadedEvent
  | SegmentStartedEvent
  | SegmentProgressEvent
  | SegmentDownloadedEvent
  | SegmentFailedEvent
  | SegmentTakenBackEvent
  | RunFinishedEvent;

/** The `type` of every event. */
export type FanoutEventType = FanoutEvent["type"];

/** Every event type, in the order a run usually emits them. */
export const EVENT_TYPES: readonly FanoutEventType[] = Object.freeze([
  "run.started",
  "task.launched",
  "task.launchFailed",
  "task.fallback",
  "task.running",
  "task.ready",
  "task.stopped",
  "segment.uploaded",
  "segment.started",
  "segment.progress",
  "segment.downloaded",
  "segment.failed",
  "segment.takenBack",
  "run.finished",
]);

/** Payload of an event without the fields the emitter fills in. */
export type EventPayload<E extends FanoutEvent> = Omit<E, "time" | "runId">;

/** Deep-ish freeze: the event and any nested plain arrays/objects it carries directly. */
export function freezeEvent<E extends FanoutEvent>(event: E): E {
  for (const value of Object.values(event)) {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) Object.freeze(value);
  }
  return Object.freeze(event);
}
