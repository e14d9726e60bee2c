/**
 * The lower bound of a run that lost tasks or placements: what no scheduler could avoid, given
 * the faults as they happened. Pure arithmetic, so the faults section can show each term.
 *
 * Model: the run has `lanes` task slots (the planned task count). A lane can first do work once
 * its first task could be ready. Each fault takes its lane out for the time a replacement needs
 * to start (counted from the fault, the replacement's own launch → ready), less the work the
 * faulted task still did after the fault (a Spot notice lets its job finish), and wastes the
 * work its killed job had done. Every job lost must run again in full, and cannot start again
 * before it was lost.
 */

export interface LaneStart {
  /** Run start → the earliest this lane's first task could be ready, ms. */
  readyMs: number;
}

export interface ChargedFault {
  /** Run start → the fault (a crash, a Spot notice), ms. */
  atMs: number;
  /** The replacement's own start-up (launch → ready), ms: the lane is idle for it, counted from the fault. */
  replacementStartupMs: number;
  /** Work the faulted task still did after the fault (a job finishing in a Spot notice), ms. */
  workAfterMs: number;
  /** Work done on jobs the fault killed, thrown away, ms. */
  lostWorkMs: number;
}

export interface LostJob {
  /** Run start → when the job was lost (the crash, the end of a Spot notice), ms. */
  lostAtMs: number;
  /** The job's full work, ms: it runs again from the start. */
  workMs: number;
}

export interface FaultBoundInput {
  /** Work time of every segment, ms (each once). */
  durationsMs: readonly number[];
  lanes: readonly LaneStart[];
  faults: readonly ChargedFault[];
  lostJobs: readonly LostJob[];
  /** The measured makespan: a fault is never charged past it (nothing was left to do on that lane). */
  makespanMs: number;
}

export interface FaultBound {
  /** The bound: the largest of the terms below. */
  ms: number;
  /** Longest segment + the earliest lane start. */
  longestPlusStartupMs: number;
  /** (Σ work + Σ lost work + Σ lane starts + Σ idle lanes after faults) / lanes. */
  shareMs: number;
  /** The latest (lost at + full rerun) of a lost job; 0 without lost jobs. */
  rerunMs: number;
  /** The parts of `shareMs`, in lane-milliseconds. */
  parts: { workMs: number; lostWorkMs: number; laneStartsMs: number; idleAfterFaultsMs: number };
}

/**
 * max(longest + earliest lane start, latest lost job's loss + its full work, the capacity share).
 * The share term is a true bound: lane i is busy at most T − ready_i − idle_i, and the busy time
 * of all lanes must cover every job once plus the work the faults threw away.
 */
export function faultLowerBound(input: FaultBoundInput): FaultBound {
  const { durationsMs, lanes, faults, lostJobs, makespanMs } = input;
  if (lanes.length === 0) throw new RangeError("faultLowerBound: expected at least one lane, got 0");
  const workMs = durationsMs.reduce((sum, d) => sum + d, 0);
  const longest = durationsMs.reduce((max, d) => Math.max(max, d), 0);
  const laneStartsMs = lanes.reduce((sum, l) => sum + l.readyMs, 0);
  const lostWorkMs = faults.reduce((sum, f) => sum + f.lostWorkMs, 0);
  const idleAfterFaultsMs = faults.reduce(
    (sum, f) => sum + Math.max(0, Math.min(f.replacementStartupMs - f.workAfterMs, makespanMs - f.atMs)),
    0,
  );
  const shareMs = (workMs + lostWorkMs + laneStartsMs + idleAfterFaultsMs) / lanes.length;
  const longestPlusStartupMs = longest + Math.min(...lanes.map((l) => l.readyMs));
  const rerunMs = lostJobs.reduce((max, j) => Math.max(max, j.lostAtMs + j.workMs), 0);
  return {
    ms: Math.max(shareMs, longestPlusStartupMs, rerunMs),
    longestPlusStartupMs,
    shareMs,
    rerunMs,
    parts: { workMs, lostWorkMs, laneStartsMs, idleAfterFaultsMs },
  };
}
