import type { TaskStoppedEvent } from "ecs-fanout";

/**
 * Why the run gave a task up (Spot interruption, crash, failed start, unreachable worker), or
 * undefined for a task stopped because its work was done or the run ended: the live log's view of
 * what the final report reads from TaskResult.lostBecause.
 */
export function lossReason(event: TaskStoppedEvent): string | undefined {
  if (event.expected) return undefined;
  if (event.lostBecause) return event.lostBecause;
  // A task ECS stopped while draining (Spot notice) is not "lost" to the core, but did stop early.
  const ecs = [event.stopCode, event.stoppedReason].filter(Boolean).join(": ");
  return ecs || "lost";
}
