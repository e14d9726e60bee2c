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
  /** Why the run gave up on it (see RunState.markLost). */
  lostBecause: string | undefined;
  /** The StopTask in flight (or done); undefined until asked, or again after a failed attempt. */
  stopping: Promise<void> | undefined;
  /** ECS accepted our StopTask. */
  stopAcked = false;
  /** Aborted when the task is lost or retired: cancels its HTTP requests. */
  readonly controller = new AbortController();
  /** Settles once every upload begun on this task so far has ended (see `beginUpload`). */
  private uploadsEnded: Promise<void> = Promise.resolve();

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

  /**
   * Registers an upload about to begin. `earlier` settles when the uploads begun before it have
   * ended; `end` marks this one ended (success or not). A look-ahead upload awaits `earlier`: the
   * worker runs jobs in arrival order, so a look-ahead that finished uploading first would run
   * before the job it was meant to follow, and could no longer be taken back.
   */
  beginUpload(): { earlier: Promise<void>; end: () => void } {
    const earlier = this.uploadsEnded;
    let end!: () => void;
    const mine = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.uploadsEnded = earlier.then(() => mine);
    return { earlier, end };
  }

  /** Not yet known to be STOPPED. */
  get stopped(): boolean {
    return this.snapshot.lastStatus === "STOPPED";
  }
}
