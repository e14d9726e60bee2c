import { describe, expect, it } from "vitest";
import { WorkQueue } from "../../src/run/queue.js";

const segs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    input: { path: `/in/s${i}` },
    params: {},
    outputName: `s${i}`,
    outputPath: `/out/s${i}`,
  }));

describe("WorkQueue", () => {
  it("hands segments out in order", () => {
    const q = new WorkQueue(segs(3));
    expect(q.take("A", false)?.segment.id).toBe("s0");
    expect(q.take("B", false)?.segment.id).toBe("s1");
    expect(q.pendingCount).toBe(1);
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
});
