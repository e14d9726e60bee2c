import type { TaskSnapshot } from "../ecs/snapshot.js";
import type { WorkerClient } from "../worker/client.js";

/** Where a task is in its life, as the run sees it. */
export type TaskPhase =
  /** Launched, not RUNNING yet. */
  | "pending"
  /** RUNNING; waiting for the worker to answer. */
  | "starting"
  /** Worker verified; taking segments. */
  | "ready"
  /** The worker is draining (Spot notice, SIGTERM): in-flight work may finish, nothing new goes there. */
  | "draining"
  /** No more work for it; shutdown and StopTask sent. */
  | "retired"
  /** Stopped or unreachable without us asking. */
  | "lost";

/** One launched task and everything the run knows about it. */
export class FleetTask {
  phase: TaskPhase = "pending";
  snapshot: TaskSnapshot;
  readonly launchedAt = new Date();
  readyAt: Date | undefined;
  /** When the poller first saw it RUNNING (address lookups may lag a little behind). */
  runningSeenAt: number | undefined;
  stopRequestedAt: Date | undefined;
  client: WorkerClient | undefined;
  instanceType: string | undefined;
  /** Segments in flight on this task. */
  active = 0;
  segmentsSucceeded = 0;
  segmentsAttempted = 0;
  processMs = 0;
  stopEventSent = false;
  /** Lost or interrupted rather than stopped because its work was done. */
  unexpectedStop = false;
  /** The StopTask in flight (or done); undefined until asked, or again after a failed attempt. */
  stopping: Promise<void> | undefined;
  /** ECS accepted our StopTask. */
  stopAcked = false;
  /** Aborted when the task is lost or retired: cancels its HTTP requests. */
  readonly controller = new AbortController();

  constructor(
    snapshot: TaskSnapshot,
    readonly replacementFor: string | undefined,
  ) {
    this.snapshot = snapshot;
  }

  get arn(): string {
    return this.snapshot.taskArn;
  }

  /** Still able to take work now or soon. */
  get live(): boolean {
    return this.phase === "pending" || this.phase === "starting" || this.phase === "ready";
  }

  /** Not yet known to be STOPPED. */
  get stopped(): boolean {
    return this.snapshot.lastStatus === "STOPPED";
  }
}
