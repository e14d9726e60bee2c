/**
 * Reads a faulted run's events into the terms of its lower bound (fault-bound.ts): when each lane
 * could first work, and what each injected fault is charged.
 */
import type { FanoutEvent } from "ecs-fanout";
import type { ChargedFault, LaneStart, LostJob } from "./fault-bound.js";

/** A fault the benchmark injected: when, and when it killed the task's processes (a Spot notice ends later). */
export interface Injected {
  taskArn: string;
  at: number;
  killAt: number;
}

type Of<T extends FanoutEvent["type"]> = Extract<FanoutEvent, { type: T }>;
const ofType = <T extends FanoutEvent["type"]>(events: readonly FanoutEvent[], type: T): Of<T>[] =>
  events.filter((e): e is Of<T> => e.type === type);

/**
 * One lane per planned task: run start → its first task ready. A task placed only after a refusal
 * starts its lane at the refusal plus its own start-up (the backoff before the retry is not
 * forced); a lane whose task never became ready did nothing until the end.
 */
export function laneStarts(
  events: readonly FanoutEvent[],
  tasks: number,
  origin: number,
  makespanMs: number,
): LaneStart[] {
  const firstRefusal = ofType(events, "task.launchFailed")[0]?.time;
  const ready = new Map(ofType(events, "task.ready").map((e) => [e.taskArn, e]));
  const lanes: LaneStart[] = [];
  for (const launched of ofType(events, "task.launched")) {
    if (launched.replacementFor !== undefined || lanes.length >= tasks) continue;
    const r = ready.get(launched.taskArn);
    if (r === undefined) continue;
    const refusedFirst = firstRefusal !== undefined && launched.time > firstRefusal;
    lanes.push({ readyMs: refusedFirst ? firstRefusal - origin + r.startupMs : r.time - origin });
  }
  while (lanes.length < tasks) lanes.push({ readyMs: makespanMs });
  return lanes;
}

/** What each injected fault is charged, and the jobs it lost (from the run's own events). */
export function chargedFaults(
  events: readonly FanoutEvent[],
  injected: readonly Injected[],
  nominalMs: ReadonlyMap<string, number>,
  origin: number,
): { faults: ChargedFault[]; lostJobs: LostJob[] } {
  const ready = new Map(ofType(events, "task.ready").map((e) => [e.taskArn, e.startupMs]));
  const faults: ChargedFault[] = [];
  const lostJobs: LostJob[] = [];
  for (const fault of injected) {
    const replacement = ofType(events, "task.launched").find((e) => e.replacementFor === fault.taskArn);
    const started = new Map(
      ofType(events, "segment.started")
        .filter((e) => e.taskArn === fault.taskArn)
        .map((e) => [`${e.segmentId}#${e.attempt}`, e.time]),
    );
    let workAfterMs = 0;
    for (const d of ofType(events, "segment.downloaded")) {
      const s = started.get(`${d.segmentId}#${d.attempt}`);
      if (d.taskArn !== fault.taskArn || s === undefined) continue;
      const end = Math.min(d.time, s + (nominalMs.get(d.segmentId) ?? 0));
      workAfterMs += Math.max(0, end - Math.max(fault.at, s));
    }
    let lostWorkMs = 0;
    for (const f of ofType(events, "segment.failed")) {
      const s = started.get(`${f.segmentId}#${f.attempt}`);
      if (f.taskArn !== fault.taskArn || s === undefined) continue;
      const work = nominalMs.get(f.segmentId) ?? 0;
      lostWorkMs += Math.max(0, Math.min(work, fault.killAt - s));
      lostJobs.push({ lostAtMs: fault.killAt - origin, workMs: work });
    }
    faults.push({
      atMs: fault.at - origin,
      replacementStartupMs:
        replacement === undefined
          ? Number.POSITIVE_INFINITY
          : (ready.get(replacement.taskArn) ?? Number.POSITIVE_INFINITY),
      workAfterMs,
      lostWorkMs,
    });
  }
  return { faults, lostJobs };
}
