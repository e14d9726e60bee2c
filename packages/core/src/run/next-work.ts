import type { SegmentState, WorkQueue } from "./queue.js";

/** What a ready task knows when it decides whether to take work. */
export interface TaskDemand {
  readonly taskArn: string;
  /** Jobs it runs or holds now. */
  readonly active: number;
  readonly slotsPerTask: number;
  /** The run's `lookAhead` option. */
  readonly lookAhead: boolean;
  /** Segments the other tasks (free or still starting) will want before this one's look-ahead starts. */
  readonly demandElsewhere: number;
  /** Free slots of the other ready tasks: the only demand a retry is left to (never a task still starting). */
  readonly freeElsewhere: number;
  /** It is the last live task: it may retry segments that already failed on it. */
  readonly allowTried: boolean;
}

/** A task as the demand count sees it. */
export interface TaskSlots {
  readonly phase: string;
  readonly active: number;
}

/**
 * Slots the other tasks will fill before a look-ahead of `except` could start: every slot of a
 * task still starting, and the free slots of the ready ones.
 */
export function demandElsewhere(tasks: Iterable<TaskSlots>, except: TaskSlots, slotsPerTask: number): number {
  let demand = 0;
  for (const t of tasks) {
    if (t === except) continue;
    if (t.phase === "pending" || t.phase === "starting") demand += slotsPerTask;
    else if (t.phase === "ready") demand += Math.max(0, slotsPerTask - t.active);
  }
  return demand;
}

/** Free slots of the ready tasks other than `except`: they take the head of the queue now. */
export function freeElsewhere(tasks: Iterable<TaskSlots>, except: TaskSlots, slotsPerTask: number): number {
  let free = 0;
  for (const t of tasks)
    if (t !== except && t.phase === "ready") free += Math.max(0, slotsPerTask - t.active);
  return free;
}

/** A segment a task takes now, and whether it waits there behind the task's current job. */
export interface Taken {
  readonly state: SegmentState;
  /** Uploaded while the task is busy (a look-ahead), so another idle task may take it back. */
  readonly ahead: boolean;
}

/**
 * The scheduling decision of one task (pure apart from the queue it takes from):
 * - a free slot takes the head of the queue;
 * - a busy task with look-ahead takes one more, if the queue holds more than the others will
 *   want, and leaves the head (the heaviest, largest-first) to them: they start sooner, while a
 *   look-ahead waits behind this task's current job;
 * - retries first: a retried segment the free slots of the other ready tasks will not take at
 *   once goes to a busy task's look-ahead now, never left for tasks still starting (a replacement
 *   may take a minute on Fargate), and an idle task may still take it back from there; a full
 *   task holding a fresh look-ahead puts that back in the queue and holds the retry instead; the
 *   first task that frees up takes a retry held there back before it takes fresh work;
 * - an idle task facing an empty queue takes back a look-ahead segment another task has not
 *   started, rather than wait while it sits behind a long segment.
 */
export function nextWork(queue: WorkQueue, t: TaskDemand): Taken | undefined {
  const freeSlot = t.active < t.slotsPerTask;
  const mayLookAhead = t.lookAhead && t.active === t.slotsPerTask;
  const retry = t.lookAhead ? queue.retriesFor(t.taskArn, t.allowTried)[t.freeElsewhere] : undefined;
  if (retry !== undefined && mayLookAhead) return { state: queue.claim(retry, t.taskArn), ahead: true };
  if (retry !== undefined && t.active > t.slotsPerTask) {
    // Full, with a fresh look-ahead held that would run before the retry: the retry takes its place.
    const held = queue.heldFreshBy(t.taskArn);
    if (held !== undefined) {
      queue.withdraw(held, "retryFirst");
      return { state: queue.claim(retry, t.taskArn), ahead: true };
    }
  }
  if (freeSlot && t.lookAhead && queue.retriesFor(t.taskArn, t.allowTried).length === 0) {
    // A retry held as another task's unstarted look-ahead waits behind that task's current job,
    // whose end nobody knows: the first task that frees up runs it now, before fresh work.
    const held = queue.takeBack(t.taskArn, t.allowTried, { retriesOnly: true });
    if (held !== undefined) return { state: held, ahead: false };
  }
  const lookAhead = mayLookAhead && queue.pendingCount > t.demandElsewhere;
  if (freeSlot || lookAhead) {
    const state = queue.take(t.taskArn, t.allowTried, freeSlot ? 0 : t.demandElsewhere);
    if (state !== undefined) return { state, ahead: !freeSlot };
  }
  if (freeSlot && t.lookAhead) {
    const state = queue.takeBack(t.taskArn, t.allowTried);
    if (state !== undefined) return { state, ahead: false };
  }
  return undefined;
}
