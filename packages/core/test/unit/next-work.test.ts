import { describe, expect, it } from "vitest";
import type { PlannedSegment } from "../../src/options/segments.js";
import { demandElsewhere, freeElsewhere, nextWork, type TaskDemand } from "../../src/run/next-work.js";
import { type SegmentState, WorkQueue } from "../../src/run/queue.js";

const segs = (n: number): PlannedSegment[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    input: { path: `/in/s${i}` },
    params: {},
    outputName: `s${i}`,
    outputPath: `/out/s${i}`,
    weight: undefined,
  }));

const demand = (taskArn: string, patch: Partial<TaskDemand> = {}): TaskDemand => ({
  taskArn,
  active: 0,
  slotsPerTask: 1,
  lookAhead: true,
  demandElsewhere: 0,
  freeElsewhere: 0,
  allowTried: false,
  ...patch,
});

/** Gives a taken segment the attempt handle the task loop gives it. */
function begin(state: SegmentState, taskArn: string, ahead: boolean, started = !ahead): SegmentState {
  state.attempts += 1;
  state.triedOn.add(taskArn);
  state.attempt = { taskArn, lookAhead: ahead, started, controller: new AbortController() };
  return state;
}

describe("a task's next work: take, look ahead, take back", () => {
  it("a free slot takes the head of the queue", () => {
    const q = new WorkQueue(segs(3));
    const taken = nextWork(q, demand("A", { demandElsewhere: 2 }));
    expect([taken?.state.segment.id, taken?.ahead]).toEqual(["s0", false]);
  });

  it("a busy task looks ahead past the segments the other tasks will want first", () => {
    const q = new WorkQueue(segs(4));
    const taken = nextWork(q, demand("A", { active: 1, demandElsewhere: 2 }));
    expect([taken?.state.segment.id, taken?.ahead]).toEqual(["s2", true]);
  });

  it("a busy task takes nothing when the others will want everything left", () => {
    const q = new WorkQueue(segs(2));
    expect(nextWork(q, demand("A", { active: 1, demandElsewhere: 2 }))).toBeUndefined();
    expect(q.pendingCount).toBe(2);
  });

  it("without lookAhead a busy task takes nothing and an idle one takes nothing back", () => {
    const q = new WorkQueue(segs(2));
    expect(nextWork(q, demand("A", { active: 1, lookAhead: false }))).toBeUndefined();
    begin(q.take("A", false) as SegmentState, "A", false);
    begin(q.take("A", false) as SegmentState, "A", true);
    expect(nextWork(q, demand("B", { lookAhead: false }))).toBeUndefined();
  });

  it("a full task with every slot busy and a look-ahead held takes no more", () => {
    const q = new WorkQueue(segs(4));
    expect(nextWork(q, demand("A", { active: 2, slotsPerTask: 1 }))).toBeUndefined();
  });

  it("an idle task facing an empty queue takes back the heaviest look-ahead another task has not started", () => {
    const q = new WorkQueue(segs(4), undefined, [9, 1, 2, 5]);
    begin(q.take("A", false) as SegmentState, "A", false);
    const light = begin(q.take("A", false) as SegmentState, "A", true);
    begin(q.take("B", false) as SegmentState, "B", false);
    const heavy = begin(q.take("B", false) as SegmentState, "B", true);
    const taken = nextWork(q, demand("C"));
    expect([taken?.state.segment.id, taken?.ahead]).toEqual([heavy.segment.id, false]);
    expect(heavy.taskArn).toBe("C");
    expect(light.attempt?.controller.signal.aborted).toBe(false);
  });

  it("a look-ahead that started stays where it is", () => {
    const q = new WorkQueue(segs(2));
    begin(q.take("A", false) as SegmentState, "A", false);
    begin(q.take("A", false) as SegmentState, "A", true, true);
    expect(nextWork(q, demand("B"))).toBeUndefined();
  });

  it("only the last task retries a segment that already failed on it", () => {
    const q = new WorkQueue(segs(1));
    const s0 = q.take("A", false) as SegmentState;
    s0.triedOn.add("A");
    q.requeue(s0);
    expect(nextWork(q, demand("A"))).toBeUndefined();
    expect(nextWork(q, demand("A", { allowTried: true }))?.state.segment.id).toBe("s0");
  });

  it("counts the slots other tasks will fill: all of a starting task's, the free ones of a ready task", () => {
    const me = { phase: "ready", active: 2 };
    const tasks = [
      me,
      { phase: "starting", active: 0 },
      { phase: "ready", active: 1 },
      { phase: "stopped", active: 0 },
    ];
    expect(demandElsewhere(tasks, me, 2)).toBe(2 + 1);
    expect(freeElsewhere(tasks, me, 2)).toBe(1);
  });
});

/** A queue of `n` whose head segment failed on task X and came back as a retry. */
function queueWithRetry(n: number): { q: WorkQueue; retried: SegmentState } {
  const q = new WorkQueue(segs(n));
  const retried = begin(q.take("X", false) as SegmentState, "X", false);
  retried.attempt = undefined;
  q.requeue(retried);
  return { q, retried };
}

describe("retries first: look-ahead never makes a retry wait", () => {
  it("a busy ready task takes a retry as its look-ahead instead of leaving it to a replacement still starting", () => {
    const { q, retried } = queueWithRetry(10);
    const taken = nextWork(q, demand("A", { active: 1, demandElsewhere: 1, freeElsewhere: 0 }));
    expect([taken?.state.segment.id, taken?.ahead]).toEqual([retried.segment.id, true]);
  });

  it("a lone retry goes to a busy ready task, even when a starting task's slots would want everything left", () => {
    const { q, retried } = queueWithRetry(1);
    const taken = nextWork(q, demand("A", { active: 1, demandElsewhere: 2, freeElsewhere: 0 }));
    expect(taken?.state).toBe(retried);
    expect(q.pendingCount).toBe(0);
  });

  it("leaves a retry to a ready task with a free slot, which takes the head now", () => {
    const { q, retried } = queueWithRetry(6);
    const busy = nextWork(q, demand("A", { active: 1, demandElsewhere: 1, freeElsewhere: 1 }));
    expect(busy?.state).not.toBe(retried);
    expect(nextWork(q, demand("B"))?.state).toBe(retried);
  });

  it("the first task that frees up takes back a retry held as another task's look-ahead, before fresh work", () => {
    const { q, retried } = queueWithRetry(6);
    const taken = nextWork(q, demand("A", { active: 1 })) as { state: SegmentState; ahead: boolean };
    expect(taken.state).toBe(retried);
    begin(taken.state, "A", taken.ahead);
    // Fresh work is still waiting, but the retry would wait behind A's current job, however long.
    const freed = nextWork(q, demand("B"));
    expect([freed?.state, freed?.ahead]).toEqual([retried, false]);
    expect(retried.attempt).toBeUndefined();
    expect(q.pendingCount).toBe(5);
  });

  it("a retry taken as look-ahead can still be taken back by a task that goes idle", () => {
    const { q, retried } = queueWithRetry(1);
    const taken = nextWork(q, demand("A", { active: 1 })) as { state: SegmentState; ahead: boolean };
    begin(taken.state, "A", taken.ahead);
    expect(nextWork(q, demand("B"))?.state).toBe(retried);
  });
});

/**
 * A deterministic fleet of fake tasks on a fake clock: each ready task asks `nextWork` until it
 * gets nothing; a job takes its segment's weight in time units; a held look-ahead starts when the
 * task's current job ends (unless another task took it back). Returns when the last job ends.
 */
function simulate(
  weights: readonly number[],
  readyAt: Readonly<Record<string, number>>,
  /** At `at`, task `arn` is lost: its running job goes back to the queue, held ones too. */
  loss?: { arn: string; at: number },
) {
  const q = new WorkQueue(segs(weights.length), undefined, weights);
  const startedAt: Record<string, number> = {};
  const tasks = Object.entries(readyAt).map(([arn, at]) => ({
    arn,
    readyAt: at,
    running: undefined as { state: SegmentState; endsAt: number } | undefined,
    held: [] as SegmentState[],
  }));
  let now = 0;
  let lastEnd = 0;
  const ranOn: Record<string, string> = {};
  let takenBack = 0;
  const startNext = (t: (typeof tasks)[number]) => {
    t.held = t.held.filter((s) => s.taskArn === t.arn); // dropped when another task took it back
    const next = t.held.shift();
    if (next === undefined) return;
    (next.attempt as { started: boolean }).started = true;
    startedAt[next.segment.id] = now;
    t.running = { state: next, endsAt: now + next.weight };
  };
  let lost: string | undefined;
  for (let step = 0; step < 1000 && !q.allSettled; step++) {
    if (loss !== undefined && lost === undefined && now >= loss.at) {
      lost = loss.arn;
      const t = tasks.find((o) => o.arn === loss.arn) as (typeof tasks)[number];
      for (const state of [...(t.running ? [t.running.state] : []), ...t.held]) {
        if (state.taskArn !== t.arn) continue;
        state.attempt = undefined;
        q.requeue(state);
      }
      t.running = undefined;
      t.held = [];
    }
    for (const t of tasks) {
      if (t.arn === lost) continue;
      if (t.running !== undefined && t.running.endsAt <= now) {
        q.settle(t.running.state, "succeeded");
        lastEnd = Math.max(lastEnd, t.running.endsAt);
        ranOn[t.running.state.segment.id] = t.arn;
        t.running = undefined;
        startNext(t);
      }
    }
    for (const t of tasks) {
      if (t.readyAt > now || t.arn === lost) continue;
      for (;;) {
        const others = tasks
          .filter((o) => o !== t)
          .map((o) => ({
            phase: o.arn === lost ? "lost" : o.readyAt > now ? "starting" : "ready",
            active: (o.running ? 1 : 0) + o.held.length,
          }));
        const me = { phase: "ready", active: (t.running ? 1 : 0) + t.held.length };
        const taken = nextWork(q, {
          taskArn: t.arn,
          active: me.active,
          slotsPerTask: 1,
          lookAhead: true,
          demandElsewhere: demandElsewhere([me, ...others], me, 1),
          freeElsewhere: freeElsewhere([me, ...others], me, 1),
          allowTried: false,
        });
        if (taken === undefined) break;
        if (taken.state.attempt !== undefined) throw new Error("taken back without cancelling");
        if (tasks.some((o) => o !== t && o.held.includes(taken.state))) takenBack += 1;
        begin(taken.state, t.arn, taken.ahead);
        for (const o of tasks) o.held = o.held.filter((s) => s.taskArn === o.arn);
        if (taken.ahead) t.held.push(taken.state);
        else {
          startedAt[taken.state.segment.id] = now;
          t.running = { state: taken.state, endsAt: now + taken.state.weight };
        }
      }
    }
    const events = tasks.flatMap((t) => [t.readyAt, t.running?.endsAt ?? Number.POSITIVE_INFINITY]);
    if (loss !== undefined && lost === undefined) events.push(loss.at);
    now = Math.min(...events.filter((e) => e > now));
  }
  return { makespan: lastEnd, takenBack, settled: q.allSettled, ranOn, startedAt };
}

describe("the queue's decisions do not depend on which task starts first", () => {
  it.each([
    ["A first", { A: 0, B: 1 }],
    ["B first", { A: 1, B: 0 }],
  ])("a look-ahead never waits behind a long segment while another task idles (%s)", (_name, readyAt) => {
    // Weights 6, 3, 3 on two tasks: the first ready takes the 6 and holds a 3 as look-ahead; the
    // second runs the other 3, then takes the held one back instead of idling. Makespan 7 (one
    // unit of start-up), not 9 (the held 3 behind the 6).
    expect(simulate([6, 3, 3], readyAt)).toMatchObject({ makespan: 7, takenBack: 1, settled: true });
  });

  it.each([
    ["A first", { A: 0, B: 2, C: 4 }],
    ["C first", { A: 4, B: 2, C: 0 }],
  ])("with more tasks than heavy segments, each heavy one starts on its own task (%s)", (_name, readyAt) => {
    const result = simulate([8, 8, 8, 1, 1, 1], readyAt);
    expect(result.settled).toBe(true);
    // The last heavy segment starts when the last task is ready (4): 4 + 8, and the light ones fit around.
    expect(result.makespan).toBe(12);
  });

  it.each([
    ["A ready long before B", { A: 300, B: 2200 }],
    ["B ready long before A", { A: 2200, B: 300 }],
  ])(
    "leaves the heaviest segments to a task still starting instead of parking one as a look-ahead (%s)",
    (_name, readyAt) => {
      const { ranOn, settled } = simulate([2500, 2000, 300, 200, 200, 100], readyAt);
      expect(settled).toBe(true);
      // Largest-first on two tasks: the two heaviest run side by side, neither waits behind the other.
      expect(ranOn.s0).not.toBe(ranOn.s1);
    },
  );
});

describe("a retry on a fleet of fake tasks", () => {
  it("runs a lost task's segment on the first ready task that frees up, not on the replacement still starting", () => {
    // A and B run 4-unit segments, each holding a look-ahead; B is lost at 1 with s1 running and
    // s4 held; its replacement R is ready only at 50 (a Fargate start-up). Both retries take the
    // place of A's fresh look-ahead in turn: they start at 4 and 8, not when R is ready.
    const { startedAt, settled, ranOn } = simulate(
      [4, 4, 4, 4, 4, 4, 4, 4],
      { A: 0, B: 0, R: 50 },
      { arn: "B", at: 1 },
    );
    expect(settled).toBe(true);
    expect([ranOn.s1, ranOn.s4]).toEqual(["A", "A"]);
    expect([startedAt.s1, startedAt.s4].sort()).toEqual([4, 8]);
  });
});
