import type { Agent } from "undici";
import type { AwsContext } from "../aws/context.js";
import { type LaunchBase, launchTasks } from "../ecs/launch.js";
import type { TaskSnapshot } from "../ecs/snapshot.js";
import { stopTask } from "../ecs/stop.js";
import type { TaskDefinitionInfo } from "../ecs/task-definition-info.js";
import { LaunchError, NoCapacityError, TaskLostError } from "../errors.js";
import { type EventPayload, type FanoutEvent, freezeEvent } from "../events.js";
import type { RunOptions } from "../options/run.js";
import type { RunNetwork } from "../options.js";
import type { ManifestWriter } from "../record/writer.js";
import type { SegmentResult } from "../result.js";
import type { AsyncQueue } from "../util/async-queue.js";
import { workerAgent } from "../worker/pinned-agent.js";
import { createRunIdentity, type RunIdentity, workerTransportEnvironment } from "../worker/run-identity.js";
import { FleetTask } from "./fleet-task.js";
import { awsvpcOf } from "./network.js";
import { demandElsewhere, freeElsewhere } from "./next-work.js";
import { type SegmentState, WorkQueue } from "./queue.js";
import { segmentResultOf } from "./result-builder.js";
import type { RunS3 } from "./s3-attempt.js";

type AnyPayload = FanoutEvent extends infer E ? (E extends FanoutEvent ? EventPayload<E> : never) : never;

/**
 * The shared state of one run and the decisions that touch several tasks at once: launching,
 * losing and retiring tasks, replacements, and the fatal-error latch.
 */
export class RunState {
  /** The run's bearer token and worker certificate (made before any RunTask, so every connection is pinned). */
  readonly identity: RunIdentity;
  readonly tasks = new Map<string, FleetTask>();
  readonly queue: WorkQueue;
  readonly dispatcher: Agent;
  /** A pool of its own for liveness checks: they must not queue behind a hung worker's transfers. */
  readonly livenessDispatcher: Agent;
  readonly startedAt = new Date();
  launchesInFlight = 0;
  replacementsUsed = 0;
  everLaunched = false;
  /** Tasks asked for so far (launches and replacements), and when each placed one left PROVISIONING. */
  wantedTasks = 0;
  readonly placedAt = new Map<string, number>();
  /** Capacity did not come within `capacityTimeout` for some task: no more launches for it. */
  capacityGaveUp = false;
  private capacityShown: { placed: number; wanted: number } | undefined;
  private refusalsSeen = false;
  /** Why tasks were lost, most recent last (distinct, at most 3). */
  readonly recentLosses: string[] = [];
  private readonly launches = new Set<Promise<void>>();
  private fatalError: { error: unknown } | undefined;
  private rejectFatal!: (error: unknown) => void;
  /** Rejects with the first fatal error (launch refused, AWS permission error, no capacity at all). */
  readonly fatal: Promise<never>;

  constructor(
    readonly opts: RunOptions,
    readonly ctx: AwsContext,
    readonly td: TaskDefinitionInfo,
    /** Decided once per run, before any RunTask (the default VPC's when no subnets were given). */
    readonly network: RunNetwork,
    readonly plannedTasks: number,
    readonly results: AsyncQueue<SegmentResult>,
    schedule?: { readonly order: readonly number[]; readonly weights: readonly number[] },
  ) {
    this.queue = new WorkQueue(opts.segments, schedule?.order, schedule?.weights);
    this.identity = createRunIdentity({ insecurePlainHttp: opts.transport.insecurePlainHttp });
    this.dispatcher = workerAgent(this.identity);
    this.livenessDispatcher = workerAgent(this.identity, {
      connectTimeoutMs: opts.liveness.timeoutMs,
      connections: 1,
    });
    this.fatal = new Promise<never>((_, reject) => {
      this.rejectFatal = reject;
    });
    this.fatal.catch(() => {});
  }

  get signal(): AbortSignal | undefined {
    return this.ctx.signal;
  }

  get maxReplacements(): number {
    return this.opts.retry.maxReplacements ?? this.plannedTasks;
  }

  /** The run's S3 client, presigner and staged inputs, when any segment uses S3. */
  s3: RunS3 | undefined;

  /** The run's manifest, while it is open (see ManifestWriter). */
  record: ManifestWriter | undefined;

  emit(payload: AnyPayload): void {
    const handler = this.opts.onEvent;
    if (handler === undefined && this.record === undefined) return;
    const event = freezeEvent({ ...payload, time: Date.now(), runId: this.opts.runId } as FanoutEvent);
    // Recorded before anyone hears of it: a listener that throws or exits cannot lose the line.
    this.record?.write(event);
    if (handler === undefined) return;
    try {
      handler(event);
    } catch (error) {
      // A listener's bug must not break the run (and leave tasks running).
      this.opts.logger.warn("onEvent threw", { error: String(error) });
    }
  }

  failRun(error: unknown): void {
    if (this.fatalError !== undefined) return;
    this.fatalError = { error };
    this.rejectFatal(error);
    this.queue.notify();
  }

  get failed(): boolean {
    return this.fatalError !== undefined;
  }

  liveTasks(): FleetTask[] {
    return [...this.tasks.values()].filter((t) => t.live);
  }

  /** Tasks that will want work soon, other than `except`: not yet ready, or ready with a free slot. */
  demandElsewhere(except: FleetTask): number {
    return demandElsewhere(this.tasks.values(), except, this.opts.slotsPerTask);
  }

  /** Free slots of the ready tasks other than `except`. */
  freeElsewhere(except: FleetTask): number {
    return freeElsewhere(this.tasks.values(), except, this.opts.slotsPerTask);
  }

  /** Launches `count` tasks in the background; tracked so the run waits for in-flight RunTask calls before stopping. */
  launch(count: number, replacementFor?: string): void {
    const base: LaunchBase = {
      cluster: this.opts.cluster,
      taskDefinition: this.opts.taskDefinition,
      network: awsvpcOf(this.network),
      containerName: this.td.containerName,
      overrides: this.opts.overrides,
      transportEnvironment: workerTransportEnvironment(this.identity),
      runId: this.opts.runId,
      tags: this.opts.tags,
      startedBy: this.opts.startedBy,
      platformVersion: this.opts.platformVersion,
    };
    this.launchesInFlight += 1;
    this.wantedTasks += count;
    const retry = { ...this.opts.retry, capacityTimeoutMs: this.opts.capacityTimeout };
    const p = launchTasks(this.ctx, base, count, this.opts.launch, retry, {
      onLaunched: (snapshot) => this.track(snapshot, replacementFor),
      onLaunchFailed: (info) => {
        this.emit({ type: "task.launchFailed", ...info });
        if (info.kind !== "configuration") this.refusalsSeen = true;
        this.noteCapacity();
      },
      onFallback: (info) => this.emit({ type: "task.fallback", ...info }),
    })
      .then(({ launched, shortfall }) => {
        if (shortfall !== undefined) {
          this.opts.logger.warn("capacity never came for some tasks", { missing: shortfall.count });
          if (this.opts.capacityTimeout !== undefined) this.capacityGaveUp = true;
          if (!this.everLaunched && launched.length === 0) {
            this.failRun(
              new LaunchError(
                `no task could be launched: ${shortfall.failures.map((f) => f.reason).join("; ")}`,
                {
                  cluster: this.opts.cluster,
                  failures: shortfall.failures,
                  attempts: this.opts.retry.launchRetries + 1,
                },
              ),
            );
          }
        }
      })
      .catch((error: unknown) => {
        if (this.signal?.aborted && error === this.signal.reason) return;
        this.failRun(error);
      })
      .finally(() => {
        this.launchesInFlight -= 1;
        this.launches.delete(p);
        this.ensureCapacity();
      });
    this.launches.add(p);
  }

  /** Waits for every RunTask call in flight, so no launched task escapes the final StopTask. */
  async launchesSettled(): Promise<void> {
    while (this.launches.size > 0) await Promise.allSettled([...this.launches]);
  }

  private track(snapshot: TaskSnapshot, replacementFor: string | undefined): void {
    this.everLaunched = true;
    const task = new FleetTask(snapshot, replacementFor);
    this.tasks.set(task.arn, task);
    this.emit({
      type: "task.launched",
      taskArn: task.arn,
      launchType: snapshot.launchType,
      capacityProvider: snapshot.capacityProvider,
      replacementFor,
      cpu: snapshot.cpu,
      memory: snapshot.memory,
      gpus: snapshot.gpus,
    });
    this.queue.notify();
  }

  /**
   * Tasks are waiting for capacity: emits `capacity.waiting` when the count of placed tasks changed
   * (only for runs that wait on purpose, `capacityTimeout`, or that had placements refused).
   */
  noteCapacity(): void {
    if (this.opts.capacityTimeout === undefined && !this.refusalsSeen) return;
    for (const task of this.tasks.values()) this.recordPlacement(task);
    const placed = this.placedAt.size;
    const wanted = this.wantedTasks;
    const shown = this.capacityShown;
    if (shown !== undefined && shown.placed === placed && shown.wanted === wanted) return;
    if (placed >= wanted && (shown === undefined || shown.placed >= shown.wanted)) return;
    this.capacityShown = { placed, wanted };
    this.emit({
      type: "capacity.waiting",
      placed,
      wanted,
      gpu: (this.opts.overrides.gpu ?? this.td.gpus ?? 0) > 0,
      waitingMs: Date.now() - this.startedAt.getTime(),
    });
  }

  /** Remembers when the task left PROVISIONING (the first time it is seen placed). */
  recordPlacement(task: FleetTask): void {
    if (!this.placedAt.has(task.arn) && isPlaced(task)) this.placedAt.set(task.arn, Date.now());
  }

  /** A task still PROVISIONING past `capacityTimeout`: stop it with that reason; no replacement. */
  capacityTimedOut(task: FleetTask): void {
    const why = `no capacity within capacityTimeout (${this.opts.capacityTimeout} ms): still PROVISIONING`;
    this.capacityGaveUp = true;
    this.markLost(task, why, { replace: false, stopReason: `ecs-fanout: ${why}` });
  }

  /** A task stopped or became unusable without us asking: requeue happens in its lanes; maybe replace it. */
  markLost(
    task: FleetTask,
    why: string,
    how: { replace?: boolean; stopReason?: string; askWorker?: boolean } = {},
  ): void {
    if (task.phase === "lost" || task.phase === "retired") return;
    const wasDraining = task.phase === "draining";
    task.phase = "lost";
    task.unexpectedStop = true;
    task.lostBecause = why;
    this.opts.logger.info("task lost", { taskArn: task.arn, why });
    this.noteLoss(why);
    task.controller.abort(
      new TaskLostError(task.arn, `task ${task.snapshot.taskId} lost: ${why}`, {
        ...(task.snapshot.stopCode === undefined ? {} : { stopCode: task.snapshot.stopCode }),
        ...(task.snapshot.stoppedReason === undefined ? {} : { stoppedReason: task.snapshot.stoppedReason }),
      }),
    );
    // Tell listeners now, not when the run ends: the task is gone for this run.
    this.noticeStopped(task, false, why);
    if (!task.stopped)
      void this.requestStop(task, how.stopReason ?? `ecs-fanout: task lost (${why})`, how.askWorker);
    if (!wasDraining && how.replace !== false) this.replace(task);
    this.queue.notify();
    this.ensureCapacity();
  }

  /**
   * The worker is draining (Spot notice): in-flight work may finish (and is downloaded), work it
   * holds but has not started goes back to the queue now, nothing new goes there, and a
   * replacement is launched at once rather than when the task stops.
   */
  markDraining(task: FleetTask, noticedBy: "worker" | "describeTasks"): void {
    if (!task.live) return;
    task.phase = "draining";
    task.unexpectedStop = true;
    this.opts.logger.info("task draining", { taskArn: task.arn, noticedBy });
    this.emit({ type: "task.draining", taskArn: task.arn, noticedBy });
    for (const state of this.queue.unstartedOn(task.arn)) this.queue.withdraw(state, "draining");
    this.replace(task);
    this.queue.notify();
  }

  private replace(task: FleetTask): void {
    if (this.failed || this.signal?.aborted || this.queue.allSettled) return;
    if (this.queue.pendingCount + task.active === 0) return;
    if (this.replacementsUsed >= this.maxReplacements) return;
    this.replacementsUsed += 1;
    this.launch(1, task.arn);
  }

  /** Work remains but nothing can run it: launch one more if allowed, else fail what is pending. */
  ensureCapacity(): void {
    if (this.failed || this.signal?.aborted || this.queue.allSettled) return;
    if (this.queue.pendingCount === 0 || this.liveTasks().length > 0 || this.launchesInFlight > 0) return;
    if (!this.everLaunched) return;
    if (this.capacityGaveUp) {
      const error = new NoCapacityError(
        `no capacity within capacityTimeout (${this.opts.capacityTimeout} ms): ${this.placedAt.size} of ${this.wantedTasks} tasks placed`,
        undefined,
        this.recentLosses,
      );
      for (const state of this.queue.failPending({ code: error.code, message: error.message }))
        this.publish(state);
      return;
    }
    if (this.replacementsUsed < this.maxReplacements) {
      this.replacementsUsed += 1;
      this.launch(1);
      return;
    }
    const lost = this.recentLosses.length === 0 ? "" : `; last task losses: ${this.recentLosses.join(" | ")}`;
    const error = new NoCapacityError(
      `no task left to run the remaining segments (replacements used up)${lost}`,
      undefined,
      this.recentLosses,
    );
    for (const state of this.queue.failPending({ code: error.code, message: error.message }))
      this.publish(state);
  }

  /** No more work for this task: ask the worker to exit and StopTask it now (it stops costing money). */
  async retire(task: FleetTask): Promise<void> {
    if (task.phase === "lost" || task.phase === "retired") return;
    task.phase = "retired";
    task.controller.abort(new Error("task retired"));
    await this.requestStop(task, "ecs-fanout: no more work");
  }

  /**
   * POST /v1/shutdown (best effort, short; skipped with `askWorker: false`) then StopTask — never
   * throws; one StopTask in flight per task.
   */
  requestStop(task: FleetTask, reason: string, askWorker = true): Promise<void> {
    if (task.stopping !== undefined) return task.stopping;
    task.stopRequestedAt ??= new Date();
    const client = askWorker ? task.client : undefined;
    task.stopping = (async () => {
      if (client !== undefined) await client.shutdown(false, AbortSignal.timeout(2000)).catch(() => {});
      try {
        await stopTask({ ...this.ctx, signal: undefined }, task.arn, reason, { known: task.snapshot });
        task.stopAcked = true;
      } catch (error) {
        this.opts.logger.warn("StopTask failed", { taskArn: task.arn, error: String(error) });
        task.stopping = undefined;
      }
    })();
    return task.stopping;
  }

  /** Remembers the last few distinct reasons tasks were lost, for the error when none is left. */
  private noteLoss(why: string): void {
    const i = this.recentLosses.indexOf(why);
    if (i >= 0) this.recentLosses.splice(i, 1);
    this.recentLosses.push(why);
    if (this.recentLosses.length > 3) this.recentLosses.shift();
  }

  /** Emits task.stopped once per task: when seen STOPPED, or the moment a lost task is given up. */
  noticeStopped(task: FleetTask, expected: boolean, lostBecause?: string): void {
    if (task.stopEventSent) return;
    task.stopEventSent = true;
    this.emit({
      type: "task.stopped",
      taskArn: task.arn,
      stopCode: task.snapshot.stopCode,
      stoppedReason: task.snapshot.stoppedReason,
      exitCode: task.snapshot.exitCode,
      expected,
      lostBecause,
    });
  }

  /** Publishes a settled segment on the results stream. */
  publish(state: SegmentState): void {
    this.results.push(segmentResultOf(state));
  }
}

/** The task has its capacity: it left PROVISIONING (ECS reports PENDING or later, or it already ran). */
function isPlaced(task: FleetTask): boolean {
  const status = task.snapshot.lastStatus;
  if (task.phase !== "pending" && task.phase !== "lost") return true;
  return status !== undefined && status !== "PROVISIONING" && status !== "STOPPED";
}
