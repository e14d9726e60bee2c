import type { WorkerConfig } from "../config.js";
import type { JobManager } from "../jobs.js";
import type { Activity } from "../lifecycle/activity.js";
import type { DiskBudget } from "../lifecycle/disk-budget.js";
import type { LogSink } from "../log.js";

/** What the route handlers share with the worker. */
export interface ServerContext {
  readonly config: WorkerConfig;
  readonly jobs: JobManager;
  readonly log: LogSink;
  readonly startedAt: number;
  /** Null until the metadata endpoint has answered (it is retried in the background). */
  taskArn: string | null;
  readonly processors: string[];
  /** Job ids whose input is being received right now. */
  readonly uploading: Set<string>;
  /** Disk promised to in-flight uploads. */
  readonly disk: DiskBudget;
  /** Progress that keeps the worker from exiting idle. */
  readonly activity: Activity;
  isDraining(): boolean;
  drain(reason: string): void;
  shutdown(options: { force: boolean; reason: string }): void;
  /** Aborted when the worker begins draining; status long polls answer with it. */
  readonly drained: AbortSignal;
  /** Aborted when the worker stops; long polls end with it. */
  readonly stopping: AbortSignal;
}
