import type { EventPayload, TaskBilledEvent } from "../events.js";
import type { TaskResult } from "../result.js";

const msOf = (d: Date | undefined): number | undefined => d?.getTime();

/** A task's result as its `task.billed` line: dates as epoch milliseconds. */
export function billedPayload(
  t: TaskResult & { readonly pullStoppedAt?: Date | undefined },
  fromRunId?: string,
): EventPayload<TaskBilledEvent> {
  return {
    type: "task.billed",
    taskArn: t.taskArn,
    launchType: t.launchType,
    capacityProvider: t.capacityProvider,
    cpu: t.cpu,
    memory: t.memory,
    gpus: t.gpus,
    instanceType: t.instanceType,
    replacementFor: t.replacementFor,
    launchedAt: t.launchedAt.getTime(),
    createdAt: msOf(t.createdAt),
    pullStartedAt: msOf(t.pullStartedAt),
    pullStoppedAt: msOf(t.pullStoppedAt),
    startedAt: msOf(t.startedAt),
    readyAt: msOf(t.readyAt),
    stopRequestedAt: msOf(t.stopRequestedAt),
    stoppedAt: msOf(t.stoppedAt),
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    exitCode: t.exitCode,
    lostBecause: t.lostBecause,
    lastStatus: t.lastStatus,
    segmentsSucceeded: t.segmentsSucceeded,
    segmentsAttempted: t.segmentsAttempted,
    processingSeconds: t.processingSeconds,
    billedSeconds: t.billedSeconds,
    billingEstimated: t.billingEstimated,
    costUsd: t.costUsd,
    fromRunId,
  };
}
