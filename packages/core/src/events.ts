import type { z } from "zod";
import type { RunNetwork } from "./options.js";
import type * as schema from "./record/schema.js";
import type { BatchRunResult } from "./result.js";

type Event<S extends z.ZodType> = Readonly<z.output<S>>;

/** The run passed validation and is about to launch tasks; `options` is what the manifest records of them. */
export type RunStartedEvent = Omit<Event<typeof schema.runStartedSchema>, "network"> & {
  /** The networking every task is launched with; `defaultVpc` is set when it came from the default VPC. */
  readonly network: RunNetwork;
};
/** RunTask accepted a task (`replacementFor` is set when it replaces one lost mid-run). */
export type TaskLaunchedEvent = Event<typeof schema.taskLaunchedSchema>;
/** RunTask refused some or all of the tasks asked for. */
export type TaskLaunchFailedEvent = Event<typeof schema.taskLaunchFailedSchema>;
/** Some tasks wait for capacity: `placed` of `wanted` have it. Not written to the manifest. */
export type CapacityWaitingEvent = Event<typeof schema.capacityWaitingSchema>;
/** Spot capacity was unavailable; tasks are launched on-demand instead. */
export type TaskFallbackEvent = Event<typeof schema.taskFallbackSchema>;
/** The task reached RUNNING and its address is known; carries ECS's lifecycle stamps so far. */
export type TaskRunningEvent = Event<typeof schema.taskRunningSchema>;
/** The worker answered health and proved its identity; it now takes segments. */
export type TaskReadyEvent = Event<typeof schema.taskReadySchema>;
/**
 * The task stopped, or — for a task lost mid-run (Spot interruption, crash, failed start,
 * unreachable worker) — the run gave it up; once per task. A lost task is reported the moment the
 * loss is noticed, with `expected: false`, even if ECS has not reported it STOPPED yet (then
 * `stopCode` is unknown; the final one is in the run's `TaskResult` and the `task.billed` event).
 */
export type TaskStoppedEvent = Event<typeof schema.taskStoppedSchema>;
/** The task's worker is draining (Spot notice): it takes nothing new and a replacement is asked for. */
export type TaskDrainingEvent = Event<typeof schema.taskDrainingSchema>;
/** A task's whole account at the end of the run: every stamp, billed seconds and cost. Once per task. */
export type TaskBilledEvent = Event<typeof schema.taskBilledSchema>;
/** A segment's input reached a worker. */
export type SegmentUploadedEvent = Event<typeof schema.segmentUploadedSchema>;
/** The worker started processing a segment. */
export type SegmentStartedEvent = Event<typeof schema.segmentStartedSchema>;
/** Processing progress reported by the worker (0..1). Not written to the manifest. */
export type SegmentProgressEvent = Event<typeof schema.segmentProgressSchema>;
/** A segment's output is verified and on disk at its final path; with the attempt's timings and input facts. */
export type SegmentDownloadedEvent = Event<typeof schema.segmentDownloadedSchema>;
/** A segment attempt failed; `willRetry` says whether it went back into the queue. */
export type SegmentFailedEvent = Event<typeof schema.segmentFailedSchema>;
/**
 * A task that ran out of work took back a look-ahead segment another task held but had not
 * started (so it does not wait behind that task's current job). The job on `fromTaskArn` was
 * cancelled; the segment is uploaded again to `toTaskArn`. Not a failed attempt.
 */
export type SegmentTakenBackEvent = Event<typeof schema.segmentTakenBackSchema>;
/**
 * An attempt that had not started went back to the queue with no new owner yet: its task is
 * draining, or a retry took its place as the task's look-ahead. Not a failed attempt.
 */
export type SegmentRequeuedEvent = Event<typeof schema.segmentRequeuedSchema>;
/** On resume: an earlier run's output of this segment was verified on disk (size, sha256) and reused. */
export type SegmentResumedEvent = Event<typeof schema.segmentResumedSchema>;
/** The run's metrics and counts (JSON-friendly), just before `run.finished`. */
export type RunMetricsEvent = Event<typeof schema.runMetricsEventSchema>;
/** Bytes and objects of the local inputs staged in S3 so far (event only, not in the manifest). */
export type StageProgressEvent = Event<typeof schema.stageProgressSchema>;

/** The orchestrator created a multipart upload (staging an input, or an attempt's output); recorded until closed. */
export type MultipartOpenedEvent = Event<typeof schema.multipartOpenedSchema>;
/** A multipart upload was completed, aborted, or was already gone; `fromRunId` when it was an earlier run's. */
export type MultipartClosedEvent = Event<typeof schema.multipartClosedSchema>;
/** Aborting a multipart upload failed: a warning (the run goes on; its end and a resume try again). */
export type MultipartAbortFailedEvent = Event<typeof schema.multipartAbortFailedSchema>;

/** The run finished (all tasks stopped); carries the result. Not written to the manifest (see `run.metrics`). */
export interface RunFinishedEvent {
  readonly type: "run.finished";
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly runId: string;
  readonly result: BatchRunResult;
}

/** Every event a run emits, discriminated by `type`. */
export type FanoutEvent =
  | RunStartedEvent
  | TaskLaunchedEvent
  | TaskLaunchFailedEvent
  | TaskFallbackEvent
  | CapacityWaitingEvent
  | TaskRunningEvent
  | TaskReadyEvent
  | TaskDrainingEvent
  | TaskStoppedEvent
  | TaskBilledEvent
  | SegmentUploadedEvent
  | SegmentStartedEvent
  | SegmentProgressEvent
  | SegmentDownloadedEvent
  | SegmentFailedEvent
  | SegmentTakenBackEvent
  | SegmentRequeuedEvent
  | SegmentResumedEvent
  | StageProgressEvent
  | MultipartOpenedEvent
  | MultipartClosedEvent
  | MultipartAbortFailedEvent
  | RunMetricsEvent
  | RunFinishedEvent;

/** The `type` of every event. */
export type FanoutEventType = FanoutEvent["type"];

/** Every event type, in the order a run usually emits them. */
export const EVENT_TYPES: readonly FanoutEventType[] = Object.freeze([
  "run.started",
  "segment.resumed",
  "stage.progress",
  "task.launched",
  "task.launchFailed",
  "task.fallback",
  "capacity.waiting",
  "task.running",
  "task.ready",
  "task.draining",
  "task.stopped",
  "segment.uploaded",
  "segment.started",
  "segment.progress",
  "segment.downloaded",
  "segment.failed",
  "segment.takenBack",
  "segment.requeued",
  "multipart.opened",
  "multipart.closed",
  "multipart.abortFailed",
  "task.billed",
  "run.metrics",
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
