import { resolveAddresses } from "../ecs/address.js";
import { describeTasks } from "../ecs/describe.js";
import { configurationStopCause } from "../ecs/stop-reasons.js";
import { AwsCallError, ConfigurationError } from "../errors.js";
import { sleep } from "../util/abort.js";
import type { FleetTask } from "./fleet-task.js";
import type { RunState } from "./run-state.js";
import { serveTask } from "./task-loop.js";

/**
 * One DescribeTasks per interval for every task still in play (100 ARNs per call): notices
 * RUNNING tasks (then resolves their addresses in one batch and starts serving them), stopped
 * tasks (at once, whatever the phase), tasks MISSING past the eventual-consistency window and
 * tasks that never start.
 */
export async function pollLoop(run: RunState, until: AbortSignal): Promise<void> {
  const { timeouts, pollIntervalMs } = run.opts;
  while (!until.aborted) {
    const watched = [...run.tasks.values()].filter(
      (t) => t.phase !== "retired" && t.phase !== "lost" && !t.stopped,
    );
    if (watched.length > 0) {
      try {
        await pollOnce(run, watched, timeouts);
      } catch (error) {
        if (until.aborted || run.signal?.aborted) return;
        // Throttling/transient errors were already retried; anything else (permissions) ends the run.
        if (!(error instanceof AwsCallError) || (error.kind !== "throttling" && error.kind !== "transient")) {
          run.failRun(error);
          return;
        }
        run.opts.logger.warn("DescribeTasks failed; polling on", { error: String(error) });
      }
    }
    await sleep(pollIntervalMs, until).catch(() => {});
  }
}

async function pollOnce(
  run: RunState,
  watched: FleetTask[],
  timeouts: { missingMs: number; taskStartMs: number },
): Promise<void> {
  const outcome = await describeTasks(
    run.ctx,
    watched.map((t) => t.arn),
    { containerName: run.td.containerName },
  );
  const now = Date.now();
  for (const arn of outcome.missing) {
    const task = run.tasks.get(arn);
    if (task !== undefined && now - task.launchedAt.getTime() > timeouts.missingMs) {
      run.markLost(task, `MISSING from DescribeTasks for more than ${timeouts.missingMs} ms`);
    }
  }
  const newlyRunning: FleetTask[] = [];
  for (const snapshot of outcome.tasks) {
    const task = run.tasks.get(snapshot.taskArn);
    if (task === undefined) continue;
    task.snapshot = snapshot;
    run.recordPlacement(task);
    if (snapshot.desiredStatus === "STOPPED" && task.stopRequestedAt === undefined) {
      // A configuration problem fails every replacement the same way: end the run at the first one.
      const cause = configurationStopCause(snapshot);
      if (cause !== undefined) failOnConfiguration(run, task, cause);
    }
    if (snapshot.lastStatus === "STOPPED") {
      const expected = task.stopRequestedAt !== undefined && !task.unexpectedStop;
      run.markLost(task, `${snapshot.stopCode ?? "stopped"}: ${snapshot.stoppedReason ?? ""}`);
      run.noticeStopped(task, expected);
    } else if (snapshot.desiredStatus === "STOPPED" && task.stopRequestedAt === undefined && task.live) {
      // ECS is stopping it and we did not ask (Spot interruption notice): take nothing new there.
      // An essential container that already exited is no notice: the task is gone now.
      if (task.phase === "ready" && snapshot.stopCode !== "EssentialContainerExited")
        run.markDraining(task, "describeTasks");
      else
        run.markLost(
          task,
          `stopping before it took work: ${snapshot.stopCode ?? ""} ${snapshot.stoppedReason ?? ""}`,
        );
    } else if (task.phase === "pending" && snapshot.lastStatus === "RUNNING") {
      task.phase = "starting";
      newlyRunning.push(task);
    } else if (task.phase === "pending" && waitingForCapacity(run, snapshot.lastStatus)) {
      // Capacity arrives in batches: capacityTimeout, not taskStartMs, bounds the PROVISIONING wait.
      if (now - task.launchedAt.getTime() > (run.opts.capacityTimeout ?? 0)) run.capacityTimedOut(task);
    } else if (task.phase === "pending" && now - startOf(run, task) > timeouts.taskStartMs) {
      run.markLost(task, `not RUNNING after ${timeouts.taskStartMs} ms (last status ${snapshot.lastStatus})`);
    }
  }
  run.noteCapacity();
  if (newlyRunning.length === 0) return;
  const addresses = await resolveAddresses(
    run.ctx,
    newlyRunning.map((t) => t.snapshot),
    {
      endpoint: run.network.endpoint,
      containerPort: run.td.containerPort,
    },
  );
  for (const task of newlyRunning) {
    const outcome = addresses.get(task.arn);
    if (outcome === undefined || "problem" in outcome) {
      // EC2 can lag ECS (an ENI's public IP, a container instance): look again next poll, for a while.
      task.runningSeenAt ??= now;
      if (now - task.runningSeenAt > timeouts.missingMs) run.markLost(task, outcome?.problem ?? "no address");
      else task.phase = "pending";
      continue;
    }
    task.instanceType = outcome.address.instanceType;
    run.emit({
      type: "task.running",
      taskArn: task.arn,
      host: outcome.address.host,
      port: outcome.address.port,
      createdAt: task.snapshot.createdAt?.getTime(),
      pullStartedAt: task.snapshot.pullStartedAt?.getTime(),
      pullStoppedAt: task.snapshot.pullStoppedAt?.getTime(),
      startedAt: task.snapshot.startedAt?.getTime(),
    });
    void serveTask(run, task, outcome.address);
  }
}

const waitingForCapacity = (run: RunState, lastStatus: string | undefined): boolean =>
  run.opts.capacityTimeout !== undefined && lastStatus === "PROVISIONING";

/** From when taskStartMs counts: the task's placement when the run waits for capacity, else its launch. */
const startOf = (run: RunState, task: FleetTask): number =>
  run.placedAt.get(task.arn) ?? task.launchedAt.getTime();

function failOnConfiguration(run: RunState, task: FleetTask, cause: string): void {
  run.failRun(
    new ConfigurationError(
      `task ${task.snapshot.taskId} could not start because of its configuration, so no replacement was launched: ${cause}`,
      {
        taskArn: task.arn,
        ...(task.snapshot.stopCode === undefined ? {} : { stopCode: task.snapshot.stopCode }),
        stoppedReason: cause,
      },
    ),
  );
}
