/** What one task's line shows. */
export interface TaskLineView {
  state: string;
  /** The segment it works on ("seg-00001 processing (+1 queued)"), its last one done, or why it stopped. */
  segment: string;
  /** Bar position, 0..100. */
  value: number;
}

interface SegmentOnTask {
  stage: string;
  fraction: number | undefined;
}

interface TaskState {
  state: string;
  /** Segments on the task now, in the order they arrived: the one processing and its look-ahead. */
  segments: Map<string, SegmentOnTask>;
  /** Shown when no segment is on the task: the last one done, or the stop detail. */
  idle: string;
  /** Bar position while idle: full after a segment is done. */
  value: number;
}

/**
 * The per-task lines of the TTY view, kept apart from drawing so they can be checked. A task
 * holds up to two segments at once (one processing, one look-ahead), so each line tracks which
 * segments are on its task: a segment taken over by another task leaves the first line and shows
 * on the second, instead of lingering on both.
 */
export class TaskLines {
  private readonly tasks = new Map<string, TaskState>();
  private readonly finished = new Set<string>();

  private get(taskKey: string): TaskState {
    let task = this.tasks.get(taskKey);
    if (!task) {
      task = { state: "", segments: new Map(), idle: "", value: 0 };
      this.tasks.set(taskKey, task);
    }
    return task;
  }

  has(taskKey: string): boolean {
    return this.tasks.has(taskKey);
  }

  task(taskKey: string, state: string, detail?: string): void {
    const task = this.get(taskKey);
    task.state = state;
    if (state === "STOPPED") {
      // Whatever it held was requeued or failed; the line now says why it stopped.
      task.segments.clear();
      task.idle = detail ?? "";
    }
  }

  progress(taskKey: string, segmentId: string, stage: string, fraction?: number): void {
    const task = this.get(taskKey);
    task.segments.set(segmentId, { stage, fraction });
  }

  moved(fromTaskKey: string, toTaskKey: string, segmentId: string): void {
    this.tasks.get(fromTaskKey)?.segments.delete(segmentId);
    // The new task may have reported the segment already (events of two tasks race), or even
    // finished it: then there is nothing to add.
    const to = this.get(toTaskKey);
    if (this.finished.has(segmentId) || to.segments.has(segmentId)) return;
    to.segments.set(segmentId, { stage: `moved from ${fromTaskKey.split(" ")[0]}`, fraction: undefined });
  }

  done(taskKey: string | undefined, segmentId: string): void {
    this.finished.add(segmentId);
    // Drop it from every line, not only the finishing task's, in case an event was missed.
    for (const task of this.tasks.values()) task.segments.delete(segmentId);
    if (taskKey === undefined) return;
    const task = this.get(taskKey);
    task.idle = `${segmentId} done`;
    task.value = 100;
  }

  failed(taskKey: string | undefined, segmentId: string): void {
    if (taskKey !== undefined) this.tasks.get(taskKey)?.segments.delete(segmentId);
  }

  view(taskKey: string): TaskLineView {
    const task = this.get(taskKey);
    const entries = [...task.segments];
    const current = entries.findLast(([, s]) => s.stage === "processing") ?? entries.at(-1);
    if (!current) return { state: task.state, segment: task.idle, value: task.value };
    const [id, on] = current;
    const queued = entries.length > 1 ? ` (+${entries.length - 1} queued)` : "";
    // A segment that has not started processing (uploaded, moved) has made no progress yet.
    const value = on.stage === "processing" && on.fraction !== undefined ? Math.round(on.fraction * 100) : 0;
    return { state: task.state, segment: `${id} ${on.stage}${queued}`, value };
  }
}
