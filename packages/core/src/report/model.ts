import type { RecordedRun } from "../record/chain.js";
import type { ManifestRecord } from "../record/schema.js";

type Of<T extends ManifestRecord["type"]> = Extract<ManifestRecord, { type: T }>;

/** One segment attempt on one task, as the report draws it (epoch ms; absent when not recorded). */
export interface AttemptView {
  readonly segmentId: string;
  readonly attempt: number;
  readonly taskArn: string;
  uploadStart: number | undefined;
  uploadEnd: number | undefined;
  processStart: number | undefined;
  processEnd: number | undefined;
  downloadStart: number | undefined;
  end: number | undefined;
  outcome: "succeeded" | "failed" | "takenBack" | "open";
  error: string | undefined;
}

/** One task's row in the task stream. */
export interface TaskView {
  readonly taskArn: string;
  readonly runId: string;
  capacity: string;
  launchedAt: number;
  createdAt: number | undefined;
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
  startedAt: number | undefined;
  readyAt: number | undefined;
  stopRequestedAt: number | undefined;
  stoppedAt: number | undefined;
  lostBecause: string | undefined;
  replacementFor: string | undefined;
  costUsd: number | undefined;
  billedSeconds: number | undefined;
  billingEstimated: boolean;
  size: string;
  readonly attempts: AttemptView[];
}

/** One run of the chain, ready to draw. */
export interface RunView {
  readonly runId: string;
  readonly startedAt: number;
  /** Its last line, or the last stop of its tasks (a resumed run may stop them later). */
  endedAt: number;
  readonly finished: boolean;
  readonly resumedFrom: string | undefined;
  readonly segments: number;
  readonly resumedSegments: number;
  readonly tasks: TaskView[];
  readonly metrics: Of<"run.metrics"> | undefined;
}

const taskOf = (runId: string, r: Of<"task.launched">): TaskView => ({
  taskArn: r.taskArn,
  runId,
  capacity: r.capacityProvider ?? r.launchType ?? "unknown",
  launchedAt: r.time,
  createdAt: undefined,
  pullStartedAt: undefined,
  pullStoppedAt: undefined,
  startedAt: undefined,
  readyAt: undefined,
  stopRequestedAt: undefined,
  stoppedAt: undefined,
  lostBecause: undefined,
  replacementFor: r.replacementFor,
  costUsd: undefined,
  billedSeconds: undefined,
  billingEstimated: true,
  size: [r.cpu && `${r.cpu / 1024} vCPU`, r.memory && `${r.memory} MiB`, r.gpus ? `${r.gpus} GPU` : ""]
    .filter(Boolean)
    .join(", "),
  attempts: [],
});

/** Folds the chain's lines into tasks and attempts; a task billed by a later run lands on its own run's row. */
export function buildViews(chain: readonly RecordedRun[]): RunView[] {
  const tasks = new Map<string, TaskView>();
  const views = chain.map((run) => {
    const rows: TaskView[] = [];
    const open = new Map<string, AttemptView>();
    const attemptOf = (segmentId: string, attempt: number, taskArn: string): AttemptView => {
      const key = `${segmentId}\u0000${attempt}\u0000${taskArn}`;
      let a = open.get(key);
      if (a === undefined) {
        a = {
          segmentId,
          attempt,
          taskArn,
          uploadStart: undefined,
          uploadEnd: undefined,
          processStart: undefined,
          processEnd: undefined,
          downloadStart: undefined,
          end: undefined,
          outcome: "open",
          error: undefined,
        };
        open.set(key, a);
        tasks.get(taskArn)?.attempts.push(a);
      }
      return a;
    };
    const latestOpen = (segmentId: string, taskArn: string | undefined): AttemptView | undefined =>
      [...open.values()]
        .reverse()
        .find(
          (a) =>
            a.segmentId === segmentId &&
            a.outcome === "open" &&
            (taskArn === undefined || a.taskArn === taskArn),
        );
    let metrics: Of<"run.metrics"> | undefined;
    let resumedSegments = 0;
    for (const r of run.records) {
      switch (r.type) {
        case "task.launched": {
          const t = taskOf(run.runId, r);
          tasks.set(r.taskArn, t);
          rows.push(t);
          break;
        }
        case "task.running": {
          const t = tasks.get(r.taskArn);
          if (t === undefined) break;
          t.createdAt = r.createdAt;
          t.pullStartedAt = r.pullStartedAt;
          t.pullStoppedAt = r.pullStoppedAt;
          t.startedAt = r.startedAt;
          break;
        }
        case "task.ready": {
          const t = tasks.get(r.taskArn);
          if (t !== undefined) t.readyAt = r.time;
          break;
        }
        case "task.stopped": {
          const t = tasks.get(r.taskArn);
          if (t !== undefined && !r.expected) t.lostBecause = r.lostBecause ?? r.stopCode ?? "lost";
          break;
        }
        case "task.billed": {
          const t = tasks.get(r.taskArn);
          if (t === undefined) break;
          t.createdAt = r.createdAt ?? t.createdAt;
          t.pullStartedAt = r.pullStartedAt ?? t.pullStartedAt;
          t.pullStoppedAt = r.pullStoppedAt ?? t.pullStoppedAt;
          t.startedAt = r.startedAt ?? t.startedAt;
          t.readyAt = r.readyAt ?? t.readyAt;
          t.stopRequestedAt = r.stopRequestedAt;
          t.stoppedAt = r.stoppedAt;
          t.lostBecause = r.lostBecause ?? t.lostBecause;
          t.costUsd = r.costUsd;
          t.billedSeconds = r.billedSeconds;
          t.billingEstimated = r.billingEstimated;
          break;
        }
        case "segment.uploaded": {
          const a = attemptOf(r.segmentId, r.attempt, r.taskArn);
          a.uploadEnd = r.time;
          a.uploadStart = r.time - r.durationMs;
          break;
        }
        case "segment.started":
          attemptOf(r.segmentId, r.attempt, r.taskArn).processStart = r.time;
          break;
        case "segment.downloaded": {
          const a = attemptOf(r.segmentId, r.attempt, r.taskArn);
          a.end = r.time;
          a.outcome = "succeeded";
          if (r.timings !== undefined) {
            a.downloadStart = r.time - r.timings.downloadMs;
            a.processEnd = a.downloadStart;
            a.processStart = a.processEnd - r.timings.processMs;
          }
          break;
        }
        case "segment.failed": {
          const a =
            r.taskArn === undefined
              ? latestOpen(r.segmentId, undefined)
              : attemptOf(r.segmentId, r.attempt, r.taskArn);
          if (a === undefined) break;
          a.end = r.time;
          a.processEnd ??= a.processStart === undefined ? undefined : r.time;
          a.outcome = "failed";
          a.error = `${r.code}: ${r.message}`;
          break;
        }
        case "segment.takenBack": {
          const a = latestOpen(r.segmentId, r.fromTaskArn);
          if (a === undefined) break;
          a.end = r.time;
          a.outcome = "takenBack";
          a.error = `taken back by ${r.toTaskArn}`;
          break;
        }
        case "segment.requeued": {
          const a = latestOpen(r.segmentId, r.fromTaskArn);
          if (a === undefined) break;
          a.end = r.time;
          a.outcome = "takenBack";
          a.error =
            r.reason === "draining"
              ? "called back: its task is draining"
              : "called back: a retry took its place";
          break;
        }
        case "segment.resumed":
          resumedSegments += 1;
          break;
        case "run.metrics":
          metrics = r;
          break;
        default:
          break;
      }
    }
    return {
      runId: run.runId,
      startedAt: run.firstAt,
      endedAt: run.lastAt,
      finished: run.finished,
      resumedFrom: run.started?.resumedFrom,
      segments: run.started?.segments ?? 0,
      resumedSegments,
      tasks: rows,
      metrics,
    };
  });
  for (const v of views) for (const t of v.tasks) v.endedAt = Math.max(v.endedAt, t.stoppedAt ?? 0);
  return views;
}
