import { describeTasks } from "../ecs/describe.js";
import type { TaskSnapshot } from "../ecs/snapshot.js";
import { stopTask } from "../ecs/stop.js";
import type { RegionPricing } from "../options/pricing.js";
import { costOfTask } from "../pricing/cost.js";
import { billedPayload } from "../record/billed.js";
import { sleep } from "../util/abort.js";
import { hasPublicIp } from "./network.js";
import type { PriorTask, ResumePlan } from "./resume.js";
import type { RunState } from "./run-state.js";

/** What an earlier run's task cost (its share of the job's metrics). */
export interface PriorCost {
  readonly billedSeconds: number;
  readonly costUsd: number | undefined;
}

/**
 * Settles the tasks of the runs being resumed: a task the killed run left RUNNING is stopped now
 * (it is ours: launched by this job, tagged with its run id), and each task without a
 * `task.billed` line is described again and priced, then recorded with `fromRunId`. A task ECS
 * no longer knows is priced from launch to the last line that named it, marked estimated.
 */
export async function settlePriorTasks(
  run: RunState,
  plan: ResumePlan,
  pricing: RegionPricing,
): Promise<PriorCost[]> {
  const costs: PriorCost[] = plan.priorTasks.flatMap((t) =>
    t.billed === undefined ? [] : [{ billedSeconds: t.billed.billedSeconds, costUsd: t.billed.costUsd }],
  );
  const open = plan.priorTasks.filter((t) => t.billed === undefined);
  if (open.length === 0) return costs;
  const ctx = run.ctx;
  const containerName = run.td.containerName;
  const seen = new Map<string, TaskSnapshot>();
  const describe = async () => {
    const outcome = await describeTasks(
      ctx,
      open.map((t) => t.taskArn),
      { containerName },
    );
    for (const s of outcome.tasks) seen.set(s.taskArn, s);
  };
  await describe();
  const running = [...seen.values()].filter((s) => s.lastStatus !== "STOPPED");
  for (const s of running) {
    run.opts.logger.info("stopping a task the resumed run left running", { taskArn: s.taskArn });
    await stopTask(ctx, s.taskArn, "ecs-fanout: its run was resumed by another", { known: s }).catch(
      (error: unknown) =>
        run.opts.logger.warn("StopTask failed", { taskArn: s.taskArn, error: String(error) }),
    );
  }
  const deadline = Date.now() + run.opts.timeouts.stopWaitMs;
  while (running.length > 0 && Date.now() < deadline) {
    await sleep(Math.min(run.opts.pollIntervalMs, 1000), ctx.signal);
    await describe();
    if (running.every((s) => seen.get(s.taskArn)?.lastStatus === "STOPPED")) break;
  }
  const now = new Date();
  for (const prior of open) {
    const billed = billedPayload(
      priorResult(prior, seen.get(prior.taskArn), pricing, now, hasPublicIp(run.network)),
      prior.fromRunId,
    );
    run.emit(billed);
    costs.push({ billedSeconds: billed.billedSeconds, costUsd: billed.costUsd });
  }
  return costs;
}

function priorResult(
  prior: PriorTask,
  s: TaskSnapshot | undefined,
  pricing: RegionPricing,
  now: Date,
  publicIp: boolean,
) {
  const launchedAt = new Date(prior.launched.time);
  // ECS forgot it (stopped tasks stay visible for about an hour): the last line that named it bounds its life.
  const stoppedAt = s?.stoppedAt ?? (s === undefined ? new Date(prior.lastSeenAt) : undefined);
  const cpu = s?.cpu ?? prior.launched.cpu;
  const memory = s?.memory ?? prior.launched.memory;
  const gpus = s?.gpus ?? prior.launched.gpus ?? 0;
  const launchType = s?.launchType ?? prior.launched.launchType;
  const capacityProvider = s?.capacityProvider ?? prior.launched.capacityProvider;
  const cost = costOfTask(
    {
      createdAt: s?.createdAt ?? launchedAt,
      pullStartedAt: s?.pullStartedAt,
      stoppedAt,
      launchType,
      capacityProvider,
      cpuUnits: cpu,
      memoryMiB: memory,
      gpus,
      instanceType: undefined,
      // The same job, resumed: launched with the same networking as this run.
      publicIp,
    },
    pricing,
    now,
  );
  return {
    taskArn: prior.taskArn,
    launchType,
    capacityProvider,
    cpu,
    memory,
    gpus,
    instanceType: undefined,
    replacementFor: prior.launched.replacementFor,
    launchedAt,
    createdAt: s?.createdAt,
    pullStartedAt: s?.pullStartedAt,
    pullStoppedAt: s?.pullStoppedAt,
    startedAt: s?.startedAt,
    readyAt: undefined,
    stopRequestedAt: undefined,
    stoppedAt,
    stopCode: s?.stopCode,
    stoppedReason: s?.stoppedReason,
    exitCode: s?.exitCode,
    lostBecause: "its run was interrupted",
    lastStatus: s?.lastStatus,
    segmentsSucceeded: 0,
    segmentsAttempted: 0,
    processingSeconds: 0,
    billedSeconds: cost.billedSeconds,
    billingEstimated: s?.stoppedAt === undefined,
    costUsd: cost.costUsd,
  };
}
