import type { PlannedSegment } from "../options/segments.js";
import type { SegmentTimings } from "../result.js";
import type { SegmentOutput } from "./segment-output.js";

/** The attempt of a segment now in flight, as far as another task needs to know about it. */
export interface ActiveAttempt {
  readonly taskArn: string;
  /** Taken as look-ahead: uploaded while the task was busy, so it waits behind another job. */
  readonly lookAhead: boolean;
  /** The worker reported it running (or done): too late to take it back. */
  started: boolean;
  /** Cancels this attempt (its HTTP requests), e.g. when another task takes the segment back. */
  readonly controller: AbortController;
}

/** The mutable state of one segment during a run. */
export class SegmentState {
  status: "pending" | "active" | "succeeded" | "failed" = "pending";
  attempts = 0;
  /** Tasks an attempt of this segment ran on; a retry prefers a task not in here. */
  readonly triedOn = new Set<string>();
  taskArn: string | undefined;
  timings: SegmentTimings | undefined;
  /** Processor-busy ms summed over every attempt. */
  processMsTotal = 0;
  output: SegmentOutput | undefined;
  error: { code: string; message: string } | undefined;
  logTail: readonly string[] | undefined;
  /** sha256 of the input file, computed once and sent with every upload. */
  inputSha256: Promise<string> | undefined;
  /** Size of the input as uploaded (recorded so a resume can tell whether it changed). */
  inputBytes: number | undefined;
  /** Set when an earlier run's verified output was reused (resume). */
  resumedFrom: string | undefined;
  /** Relative size (see Segment.weight); a task taking work back takes the heaviest first. */
  weight = 0;
  /** Jobs created for this segment on any worker, taken-back ones included: keeps job ids unique. */
  jobs = 0;
  /** The attempt in flight, while `status` is "active". */
  attempt: ActiveAttempt | undefined;
  /** Came back to the queue after an attempt was cut short: while waiting it goes to the first ready slot, before fresh work. */
  retry = false;

  constructor(readonly segment: PlannedSegment) {}

  get settled(): boolean {
    return this.status === "succeeded" || this.status === "failed";
  }
}

/**
 * The shared dynamic queue: tasks pull the next segment when they have room; a failed attempt
 * goes back to the front. Anyone can wait for "something changed" (a requeue, a settle, a task
 * coming or going) and re-check.
 */
export class WorkQueue {
  readonly states: readonly SegmentState[];
  private readonly pending: SegmentState[];
  private waiters: (() => void)[] = [];
  private settledCount = 0;
  private resolveFinished!: () => void;
  /** Resolves once every segment has succeeded or failed. */
  readonly finished: Promise<void>;

  /** `order`: indexes of `segments` in hand-out order (default: as given); `states` keep the given order. */
  constructor(
    segments: readonly PlannedSegment[],
    order?: readonly number[],
    weights?: readonly (number | undefined)[],
  ) {
    this.states = segments.map((s, i) => {
      const state = new SegmentState(s);
      state.weight = weights?.[i] ?? 0;
      return state;
    });
    this.pending = order === undefined ? [...this.states] : order.map((i) => this.states[i] as SegmentState);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Retried segments waiting that `taskArn` could take (with `allowTried`, ones it already failed
   * too), in queue order.
   */
  retriesFor(taskArn: string, allowTried: boolean): SegmentState[] {
    return this.pending.filter((s) => s.retry && (allowTried || !s.triedOn.has(taskArn)));
  }

  get activeCount(): number {
    return this.states.filter((s) => s.status === "active").length;
  }

  get allSettled(): boolean {
    return this.settledCount === this.states.length;
  }

  /** Whether `taskArn` could take something now (with `allowTried`, segments it already failed count too). */
  hasWorkFor(taskArn: string, allowTried: boolean): boolean {
    return this.pending.some((s) => allowTried || !s.triedOn.has(taskArn));
  }

  /**
   * Takes the next segment for a task, preferring ones it has not tried; undefined when none fits.
   * `skip` leaves that many segments at the head for others (see serveTask's look-ahead).
   */
  take(taskArn: string, allowTried: boolean, skip = 0): SegmentState | undefined {
    const from = Math.min(skip, Math.max(0, this.pending.length - 1));
    let index = this.pending.findIndex((s, i) => i >= from && !s.triedOn.has(taskArn));
    if (index < 0) index = this.pending.findIndex((s) => !s.triedOn.has(taskArn));
    const at = index >= 0 ? index : allowTried && this.pending.length > 0 ? from : -1;
    if (at < 0) return undefined;
    return this.claim(this.pending[at] as SegmentState, taskArn);
  }

  /** Takes a waiting segment for a task (one `retriesFor` returned, say). */
  claim(state: SegmentState, taskArn: string): SegmentState {
    const i = this.pending.indexOf(state);
    if (i < 0) throw new Error(`segment ${state.segment.id} is not waiting in the queue`);
    this.pending.splice(i, 1);
    state.status = "active";
    state.taskArn = taskArn;
    return state;
  }

  /**
   * A look-ahead segment another task holds but has not started, for a task that has nothing else
   * to do (`retriesOnly`: a retry, for a task with a free slot): its attempt is cancelled and it
   * becomes `taskArn`'s. The taken-back attempt does not count as an attempt. Undefined when there
   * is none.
   */
  takeBack(
    taskArn: string,
    allowTried: boolean,
    { retriesOnly = false }: { retriesOnly?: boolean } = {},
  ): SegmentState | undefined {
    const candidates = this.states.filter(
      (s) =>
        s.status === "active" &&
        s.attempt !== undefined &&
        s.attempt.lookAhead &&
        !s.attempt.started &&
        s.attempt.taskArn !== taskArn &&
        (!retriesOnly || s.retry) &&
        (allowTried || !s.triedOn.has(taskArn)),
    );
    const state = candidates.reduce<SegmentState | undefined>(
      (best, s) => (best === undefined || s.weight > best.weight ? s : best),
      undefined,
    );
    if (state === undefined) return undefined;
    const previous = state.attempt as ActiveAttempt;
    state.attempt = undefined;
    state.attempts -= 1;
    state.triedOn.delete(previous.taskArn);
    previous.controller.abort(new SegmentTakenBack(state.segment.id, previous.taskArn, taskArn));
    state.taskArn = taskArn;
    return state;
  }

  /**
   * The fresh (never retried) look-ahead `taskArn` holds and has not started, if any: a retry
   * may take its place.
   */
  heldFreshBy(taskArn: string): SegmentState | undefined {
    return this.states.find(
      (s) =>
        s.status === "active" &&
        !s.retry &&
        s.attempt !== undefined &&
        s.attempt.taskArn === taskArn &&
        s.attempt.lookAhead &&
        !s.attempt.started,
    );
  }

  /** Segments taken by `taskArn` whose attempt has not started on its worker (queued or uploading). */
  unstartedOn(taskArn: string): SegmentState[] {
    return this.states.filter(
      (s) =>
        s.status === "active" &&
        s.attempt !== undefined &&
        s.attempt.taskArn === taskArn &&
        !s.attempt.started,
    );
  }

  /**
   * Calls an attempt that has not started back into the queue, with no new owner yet: it does not
   * count as an attempt, and its job on the old task is cancelled. A draining task's segment goes
   * to the front as a retry (it has waited); a look-ahead a retry displaces goes behind the retries.
   */
  withdraw(state: SegmentState, reason: "draining" | "retryFirst"): void {
    const previous = state.attempt;
    if (previous === undefined || state.status !== "active") return;
    state.attempt = undefined;
    state.attempts -= 1;
    state.triedOn.delete(previous.taskArn);
    state.status = "pending";
    state.taskArn = undefined;
    previous.controller.abort(new SegmentRequeued(state.segment.id, previous.taskArn, reason));
    if (reason === "draining") {
      state.retry = true;
      this.pending.unshift(state);
    } else {
      const firstFresh = this.pending.findIndex((s) => !s.retry);
      this.pending.splice(firstFresh < 0 ? this.pending.length : firstFresh, 0, state);
    }
    this.notify();
  }

  /** Puts a segment back at the front (it has waited longest), marked as a retry. */
  requeue(state: SegmentState): void {
    state.status = "pending";
    state.attempt = undefined;
    state.retry = true;
    this.pending.unshift(state);
    this.notify();
  }

  /** A segment an earlier run finished (verified on disk): settled before any task takes work. */
  reuse(
    state: SegmentState,
    done: SegmentOutput & { timings: SegmentTimings | undefined; fromRunId: string },
  ): void {
    state.output = { path: done.path, s3: done.s3, bytes: done.bytes, sha256: done.sha256 };
    state.timings = done.timings;
    state.resumedFrom = done.fromRunId;
    state.processMsTotal = done.timings?.processMs ?? 0;
    this.settle(state, "succeeded");
  }

  /** Marks a segment succeeded or failed. */
  settle(state: SegmentState, status: "succeeded" | "failed"): void {
    if (state.settled) return;
    const i = this.pending.indexOf(state);
    if (i >= 0) this.pending.splice(i, 1);
    state.status = status;
    state.attempt = undefined;
    this.settledCount += 1;
    if (this.allSettled) this.resolveFinished();
    this.notify();
  }

  /** Fails every segment not yet settled or active (no task left to run them). */
  failPending(error: { code: string; message: string }): SegmentState[] {
    const failed = [...this.pending];
    for (const s of failed) {
      s.error = error;
      this.settle(s, "failed");
    }
    return failed;
  }

  /** Wakes everyone waiting in `changed()`. */
  notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves at the next change. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Abort reason of an attempt called back into the queue (see `WorkQueue.withdraw`). */
export class SegmentRequeued extends Error {
  constructor(
    readonly segmentId: string,
    readonly fromTaskArn: string,
    readonly reason: "draining" | "retryFirst",
  ) {
    super(`segment ${segmentId} called back from ${fromTaskArn} (${reason})`);
    this.name = "SegmentRequeued";
  }
}

/** Abort reason of an attempt whose segment another task took back. */
export class SegmentTakenBack extends Error {
  constructor(
    readonly segmentId: string,
    readonly fromTaskArn: string,
    readonly toTaskArn: string,
  ) {
    super(`segment ${segmentId} taken back from ${fromTaskArn} by ${toTaskArn}`);
    this.name = "SegmentTakenBack";
  }
}
