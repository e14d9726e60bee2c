import type { FanoutEvent, TaskStoppedEvent } from "ecs-fanout";

/**
 * Why the run gave a task up (Spot interruption, crash, failed start, unreachable worker), or
 * undefined for a task stopped because its work was done or the run ended.
 */
export function lossReason(event: TaskStoppedEvent): string | undefined {
  if (event.expected) return undefined;
  if (event.lostBecause) return event.lostBecause;
  // A task ECS stopped while draining (Spot notice) is not "lost" to the core, but did stop early.
  const ecs = [event.stopCode, event.stoppedReason].filter(Boolean).join(": ");
  return ecs || "lost";
}

/**
 * Collects why tasks were lost from a run's `task.stopped` events, for the final report: the
 * core's TaskResult has ECS's stop code and reason but not the run's own reason (e.g. a worker
 * that stopped answering), nor whether the stop was expected.
 */
export class LostTasks {
  private readonly reasons = new Map<string, string>();

  handle(event: FanoutEvent): void {
    if (event.type !== "task.stopped") return;
    const why = lossReason(event);
    if (why !== undefined) this.reasons.set(event.taskArn, why);
  }

  /** Reason by task ARN, for the tasks lost so far. */
  get all(): ReadonlyMap<string, string> {
    return this.reasons;
  }
}
