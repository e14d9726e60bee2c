import { describe, expect, it } from "vitest";
import { type SegmentState, SegmentTakenBack, WorkQueue } from "../../src/run/queue.js";

const segs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    input: { path: `/in/s${i}` },
    params: {},
    outputName: `s${i}`,
    outputPath: `/out/s${i}`,
    weight: undefined,
  }));

describe("WorkQueue", () => {
  it("hands segments out in order", () => {
    const q = new WorkQueue(segs(3));
    expect(q.take("A", false)?.segment.id).toBe("s0");
    expect(q.take("B", false)?.segment.id).toBe("s1");
    expect(q.pendingCount).toBe(1);
  });

  it("skips the head for a look-ahead, leaving it to tasks that start sooner", () => {
    const q = new WorkQueue(segs(5));
    expect(q.take("A", false, 2)?.segment.id).toBe("s2");
    expect(q.take("B", false)?.segment.id).toBe("s0");
    // Skipping past the end takes the last one; a tried segment is passed over as without skip.
    expect(q.take("A", false, 10)?.segment.id).toBe("s4");
    const s1 = q.take("C", false)!;
    s1.triedOn.add("A");
    q.requeue(s1);
    expect(q.take("A", false, 0)?.segment.id).toBe("s3");
    expect(q.take("A", false, 0)).toBeUndefined();
    expect(q.take("A", true, 0)?.segment.id).toBe("s1");
  });

  it("gives a retried segment to another task first", () => {
    const q = new WorkQueue(segs(2));
    const s0 = q.take("A", false)!;
    s0.triedOn.add("A");
    q.requeue(s0);
    expect(q.take("A", false)?.segment.id).toBe("s1");
    expect(q.take("A", false)).toBeUndefined();
    expect(q.take("B", false)?.segment.id).toBe("s0");
  });

  it("lets the same task retry when no other task is left", () => {
    const q = new WorkQueue(segs(1));
    const s0 = q.take("A", false)!;
    s0.triedOn.add("A");
    q.requeue(s0);
    expect(q.hasWorkFor("A", false)).toBe(false);
    expect(q.take("A", true)?.segment.id).toBe("s0");
  });

  it("finishes once every segment settled, and wakes waiters on each change", async () => {
    const q = new WorkQueue(segs(2));
    const a = q.take("A", false)!;
    const b = q.take("A", false)!;
    const woke = q.changed();
    q.settle(a, "succeeded");
    await woke;
    expect(q.allSettled).toBe(false);
    q.settle(b, "failed");
    await q.finished;
    expect(q.allSettled).toBe(true);
  });

  it("fails what is pending when no task can run it", () => {
    const q = new WorkQueue(segs(3));
    q.take("A", false);
    const failed = q.failPending({ code: "NO_CAPACITY", message: "none" });
    expect(failed.map((s) => s.segment.id)).toEqual(["s1", "s2"]);
    expect(q.states.filter((s) => s.status === "failed")).toHaveLength(2);
  });

  it("hands segments out in the order given to it, but reports them in input order", () => {
    const q = new WorkQueue(segs(3), [2, 0, 1]);
    expect(q.take("A", false)?.segment.id).toBe("s2");
    expect(q.take("A", false)?.segment.id).toBe("s0");
    expect(q.states.map((s) => s.segment.id)).toEqual(["s0", "s1", "s2"]);
  });
});

/** Takes a segment for `task` the way the task loop does, with its attempt handle in place. */
function hold(q: WorkQueue, task: string, lookAhead: boolean, started = false): SegmentState {
  const state = q.take(task, false) as SegmentState;
  state.attempts += 1;
  state.triedOn.add(task);
  state.attempt = { taskArn: task, lookAhead, started, controller: new AbortController() };
  return state;
}

describe("taking back a look-ahead segment (it must not wait behind a long segment while a task idles)", () => {
  it("gives an idle task the heaviest look-ahead segment another task has not started", () => {
    const q = new WorkQueue(segs(4), undefined, [1, 1, 5, 9]);
    hold(q, "A", false, true);
    hold(q, "A", true);
    const heavy = hold(q, "B", false, true);
    const waiting = hold(q, "B", true);
    expect(heavy.segment.id).toBe("s2");
    const controller = waiting.attempt?.controller as AbortController;
    const taken = q.takeBack("C", false);
    expect(taken?.segment.id).toBe("s3");
    expect(taken?.taskArn).toBe("C");
    expect(controller.signal.reason).toBeInstanceOf(SegmentTakenBack);
    expect((controller.signal.reason as SegmentTakenBack).fromTaskArn).toBe("B");
  });

  it("does not count the taken-back attempt against the segment's attempts", () => {
    const q = new WorkQueue(segs(2));
    hold(q, "A", false, true);
    const ahead = hold(q, "A", true);
    q.takeBack("B", false);
    expect(ahead.attempts).toBe(0);
    expect(ahead.triedOn.has("A")).toBe(false);
    expect(ahead.attempt).toBeUndefined();
  });

  it("never takes back a segment that started, one that is not look-ahead, or its own", () => {
    const q = new WorkQueue(segs(3));
    hold(q, "A", false);
    hold(q, "A", true, true);
    hold(q, "B", true);
    expect(q.takeBack("C", false)?.segment.id).toBe("s2");
    expect(q.takeBack("C", false)).toBeUndefined();
    expect(q.takeBack("A", false)).toBeUndefined();
  });

  it("leaves a segment that failed on the idle task alone unless it is the last task", () => {
    const q = new WorkQueue(segs(2));
    hold(q, "A", false, true);
    const ahead = hold(q, "A", true);
    ahead.triedOn.add("B");
    expect(q.takeBack("B", false)).toBeUndefined();
    expect(q.takeBack("B", true)?.segment.id).toBe("s1");
  });
});
