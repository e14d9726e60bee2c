import type { ImageMapping, NormalizedConfig } from "../config.js";
import type { Faults } from "../faults.js";
import type { LogStore } from "../logs.js";
import type { ContainerRecord, StopCode, Store, TaskRecord } from "../state.js";
import { type AddressPool, allocateFree, Forwarder } from "./addresses.js";
import type { Capacity } from "./capacity.js";
import { type ContainerImage, ContainerImages, containerId, startContainer } from "./container.js";
import { containerEnv } from "./container-env.js";
import { healthSettings, startHealthCheck } from "./health.js";
import { type ResolvedCommand, resolveImage } from "./images.js";
import type { ManagedCapacity } from "./managed-capacity.js";
import { type ProcessExit, startProcess } from "./process.js";
import { allocatePorts, prepareLogs, StartFailure } from "./start.js";
import { TaskLogFiles } from "./task-log-files.js";

export interface LifecycleDeps {
  store: Store;
  config: NormalizedConfig;
  logs: LogStore;
  faults: Faults;
  privatePool: AddressPool;
  publicPool: AddressPool;
  images: ImageMapping[];
  metadataBase: () => string;
}

/**
 * Drives tasks PROVISIONING → PENDING → RUNNING → DEPROVISIONING → STOPPED with real processes,
 * setting every timestamp the SDK's Task type has.
 */
export class Lifecycle {
  private waiting: TaskRecord[] = [];
  private readonly forwarders = new Map<string, Forwarder>();
  private closed = false;
  private images: ContainerImages | undefined;
  capacity!: Capacity;
  managed!: ManagedCapacity;
  /** Tasks whose PROVISIONING timeout is armed (Managed Instances). */
  private readonly timed = new WeakSet<TaskRecord>();

  private readonly logFiles: TaskLogFiles;

  constructor(private readonly d: LifecycleDeps) {
    this.logFiles = new TaskLogFiles(d.config.logDir);
  }

  private touch(task: TaskRecord): void {
    task.version++;
  }

  private after(task: TaskRecord, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      task.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    timer.unref();
    task.timers.add(timer);
  }

  private clearTimers(task: TaskRecord): void {
    for (const t of task.timers) clearTimeout(t);
    task.timers.clear();
  }

  launch(task: TaskRecord): void {
    this.provision(task);
  }

  /** Tasks waiting in PROVISIONING for EC2 capacity try again (an instance registered or was freed). */
  retryWaiting(): void {
    for (const task of [...this.waiting]) this.provision(task);
  }

  private provision(task: TaskRecord): void {
    if (task.desiredStatus === "STOPPED" || task.lastStatus !== "PROVISIONING") return;
    if (task.launchType !== "FARGATE" && !task.instance) {
      const placed = this.capacity.place(task, task.capacityProviderName);
      if (typeof placed === "string") {
        if (!this.waiting.includes(task)) this.waiting.push(task);
        const provider = task.capacityProviderName;
        const waitingHere = () =>
          this.waiting.filter((t) => t.capacityProviderName === provider && t.cluster === task.cluster);
        const managed = this.managed.provider(provider);
        if (managed) {
          this.armProvisioningTimeout(task);
          this.managed.demandSoon(managed, waitingHere);
        } else if (provider) this.capacity.scaleOut(task.cluster, provider, waitingHere().length);
        return;
      }
    }
    this.waiting = this.waiting.filter((t) => t !== task);
    this.touch(task);
    this.attachEni(task).then(
      (ok) => {
        if (ok && task.desiredStatus === "RUNNING") {
          this.after(task, this.d.config.timings.provisioningMs, () => this.pending(task));
        }
      },
      (e: unknown) => this.failToStart(task, `ResourceInitializationError: ${String(e)}`),
    );
  }

  /**
   * AWS stops a task that waits too long in PROVISIONING for capacity (10–30 minutes); here
   * after `managedInstances.provisioningTimeoutMs`.
   */
  private armProvisioningTimeout(task: TaskRecord): void {
    if (this.timed.has(task)) return;
    this.timed.add(task);
    const ms = this.d.config.managedInstances.provisioningTimeoutMs;
    this.after(task, ms, () => {
      if (task.lastStatus !== "PROVISIONING" || task.instance) return;
      this.stop(
        task,
        "TaskFailedToStart",
        `Timed out waiting for capacity: the task was PROVISIONING for ${Math.round(ms / 1000)} s and capacity provider ${task.capacityProviderName} had no instance with room for it.`,
      );
    });
  }

  /** The task's private (and public) address, each probed free on the task's container ports. */
  private async attachEni(task: TaskRecord): Promise<boolean> {
    const eni = task.eni;
    if (task.networkMode !== "awsvpc" || !eni || eni.privateIp) return true;
    const ports = task.containers.flatMap((c) =>
      (c.def.portMappings ?? []).filter((p) => p.protocol !== "udp").map((p) => p.containerPort ?? 0),
    );
    const ip = await allocateFree(this.d.privatePool, ports);
    if (task.desiredStatus === "STOPPED" || task.lastStatus !== "PROVISIONING") {
      this.d.privatePool.release(ip);
      return false;
    }
    if (!ip) {
      this.failToStart(task, "ResourceInitializationError: no free private address in the subnet");
      return false;
    }
    eni.privateIp = ip;
    if (task.assignPublicIp) {
      const pub = await allocateFree(this.d.publicPool, ports);
      if (!pub || task.lastStatus !== "PROVISIONING") {
        this.d.publicPool.release(pub);
        if (!pub) this.failToStart(task, "ResourceInitializationError: no free public address");
        return false;
      }
      eni.publicIp = pub;
    }
    this.touch(task);
    return true;
  }

  private pending(task: TaskRecord): void {
    const now = Date.now();
    task.lastStatus = "PENDING";
    task.connectivityAt = now;
    task.pullStartedAt = now;
    this.touch(task);
    this.after(task, this.d.config.timings.pullMs, () => {
      task.pullStoppedAt = Date.now();
      this.touch(task);
      this.after(task, this.d.faults.startupDelayMs(), () => {
        this.start(task).catch((e: unknown) =>
          this.failToStart(task, e instanceof Error ? e.message : String(e)),
        );
      });
    });
  }

  /** The container runtime: the image from buildah's local storage, run with runc. */
  private async containerImage(task: TaskRecord, c: ContainerRecord): Promise<ContainerImage> {
    this.images ??= new ContainerImages();
    const image = await this.images.get(c.image);
    prepareLogs(task, c, this.d.logs);
    return image;
  }

  private async start(task: TaskRecord): Promise<void> {
    const commands: (ResolvedCommand | ContainerImage)[] = [];
    for (const c of task.containers) {
      if (this.d.config.runtime === "container") {
        commands.push(await this.containerImage(task, c));
        continue;
      }
      const override = task.overrides.containerOverrides?.find((o) => o.name === c.name);
      const resolved = resolveImage(this.d.images, c.image, override?.command ?? c.def.command);
      if (!resolved) {
        throw new StartFailure(
          `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${c.image}: not found (no local command maps this image)`,
        );
      }
      prepareLogs(task, c, this.d.logs);
      commands.push(resolved);
    }
    await allocatePorts(task);
    let forwarder: Forwarder | undefined;
    if (task.eni?.publicIp) {
      forwarder = new Forwarder();
      const ports = task.containers.flatMap((c) =>
        c.ports.filter((p) => p.protocol === "tcp").map((p) => p.containerPort),
      );
      await forwarder.listen(task.eni.publicIp, task.eni.privateIp, ports);
    }
    if (task.desiredStatus === "STOPPED" || this.closed) {
      await forwarder?.close();
      return;
    }
    if (forwarder) this.forwarders.set(task.id, forwarder);
    task.containers.forEach((c, n) => {
      const cmd = commands[n];
      if (cmd) this.spawn(task, c, cmd);
    });
    task.lastStatus = "RUNNING";
    task.startedAt = Date.now();
    this.touch(task);
    const crashAfter = this.d.faults.crashAfterMs();
    const spotAfter = task.spot ? this.d.faults.spotInterruptionAfterMs() : undefined;
    if (crashAfter !== undefined) this.after(task, crashAfter, () => this.crash(task));
    if (spotAfter !== undefined) this.after(task, spotAfter, () => this.interrupt(task));
  }

  private env(task: TaskRecord, c: ContainerRecord, base: Record<string, string> | undefined) {
    return containerEnv(task, c, base, { metadataBase: this.d.metadataBase(), region: this.d.config.region });
  }

  private spawn(task: TaskRecord, c: ContainerRecord, cmd: ResolvedCommand | ContainerImage): void {
    const file = this.logFiles.get(task.id);
    c.lastStatus = "RUNNING";
    const onLine = (stream: "stdout" | "stderr", line: string) => {
      if (c.log) this.d.logs.append(c.log.group, c.log.stream, line);
      file?.write(`${new Date().toISOString()} ${c.name} ${stream} ${line}\n`);
    };
    const onExit = (result: ProcessExit) => this.containerExited(task, c, result);
    if ("rootfs" in cmd) {
      const override = task.overrides.containerOverrides?.find((o) => o.name === c.name);
      const command = override?.command ?? c.def.command;
      c.process = startContainer({
        task,
        container: c,
        image: cmd,
        command: command ?? undefined,
        env: this.env(task, c, undefined),
        onLine,
        onExit,
      });
      // The check runs inside the container (runc exec: the container's environment and user).
      const id = containerId(task, c);
      this.startHealth(task, c, {}, undefined, (file, args) => ["runc", ["exec", id, file, ...args]]);
      return;
    }
    const env = this.env(task, c, cmd.env);
    c.process = startProcess({
      command: cmd.command,
      args: cmd.args,
      cwd: cmd.cwd,
      env,
      onLine,
      onExit,
    });
    this.startHealth(task, c, env, cmd.cwd, undefined);
  }

  private startHealth(
    task: TaskRecord,
    c: ContainerRecord,
    env: Record<string, string>,
    cwd: string | undefined,
    wrap: ((file: string, args: string[]) => [string, string[]]) | undefined,
  ): void {
    if (!c.def.healthCheck) return;
    c.health = "UNKNOWN";
    c.healthCheck = startHealthCheck({
      settings: healthSettings(c.def.healthCheck),
      env: wrap ? { PATH: process.env["PATH"] ?? "" } : env,
      cwd,
      scale: this.d.config.timings.healthCheckMsScale,
      ...(wrap ? { wrap } : {}),
      onStatus: (status) => {
        if (c.health === status || c.lastStatus !== "RUNNING") return;
        c.health = status;
        this.touch(task);
      },
    });
  }

  private containerExited(task: TaskRecord, c: ContainerRecord, result: ProcessExit): void {
    clearTimeout(c.killTimer);
    c.healthCheck?.stop();
    c.lastStatus = "STOPPED";
    if (result.spawnError === undefined) c.exitCode = result.exitCode;
    else c.reason = `CannotStartContainerError: ${result.spawnError}`;
    if (result.reason !== undefined) c.reason = result.reason;
    this.touch(task);
    if (task.desiredStatus === "RUNNING" && (c.essential || result.spawnError !== undefined)) {
      if (result.spawnError !== undefined)
        this.markStopping(task, "TaskFailedToStart", c.reason ?? "CannotStartContainerError");
      else this.markStopping(task, "EssentialContainerExited", "Essential container in task exited");
      this.signalContainers(task);
    }
    if (task.containers.every((x) => !x.process?.alive())) this.deprovision(task);
  }

  private markStopping(task: TaskRecord, code: StopCode, reason: string): void {
    task.desiredStatus = "STOPPED";
    task.stopCode = code;
    task.stoppedReason = reason;
    task.stoppingAt = Date.now();
    this.touch(task);
  }

  /** SIGTERM every live container; SIGKILL after its stop timeout (scaled) or `killAfterMs`. */
  private signalContainers(task: TaskRecord, killAfterMs?: number): void {
    for (const c of task.containers) {
      const p = c.process;
      if (!p?.alive()) continue;
      p.term();
      const ms = killAfterMs ?? (c.def.stopTimeout ?? 30) * 1000 * this.d.config.timings.stopTimeoutMsScale;
      clearTimeout(c.killTimer);
      c.killTimer = setTimeout(() => p.kill(), ms);
      c.killTimer.unref();
    }
  }

  /** StopTask, Spot interruption: idempotent once the task is stopping. */
  stop(task: TaskRecord, code: StopCode, reason: string, killAfterMs?: number): void {
    if (task.desiredStatus === "STOPPED") return;
    this.markStopping(task, code, reason);
    if (task.lastStatus === "PROVISIONING" || task.lastStatus === "PENDING") {
      this.deprovision(task);
      return;
    }
    this.signalContainers(task, killAfterMs);
  }

  interrupt(task: TaskRecord): void {
    this.stop(
      task,
      "SpotInterruption",
      "Your Spot Task was interrupted.",
      this.d.config.timings.spotNoticeMs,
    );
  }

  /**
   * SIGKILL every container now: exit code 137, like an OOM kill or a crashed host. The stop code
   * is set here, not when the exit is recorded: the kill has happened, so a StopTask that lands
   * before the (asynchronous) exit must not relabel it UserInitiated. A stop already under way
   * keeps its own code.
   */
  crash(task: TaskRecord): void {
    if (task.lastStatus !== "RUNNING") return;
    const live = task.containers.filter((c) => c.process?.alive());
    if (task.desiredStatus === "RUNNING" && live.some((c) => c.essential)) {
      this.markStopping(task, "EssentialContainerExited", "Essential container in task exited");
    }
    for (const c of live) c.process?.kill();
  }

  /** SIGSTOP (`frozen`) or SIGCONT every live container: the task stays RUNNING but answers nothing. */
  freeze(task: TaskRecord, frozen: boolean): void {
    for (const c of task.containers) {
      if (!c.process?.alive()) continue;
      if (frozen) c.process.freeze();
      else c.process.thaw();
    }
  }

  private failToStart(task: TaskRecord, reason: string): void {
    if (task.desiredStatus === "RUNNING") this.markStopping(task, "TaskFailedToStart", reason);
    for (const c of task.containers) if (c.process?.alive()) c.process.kill();
    if (task.containers.every((x) => !x.process?.alive())) this.deprovision(task);
  }

  private deprovision(task: TaskRecord): void {
    if (task.lastStatus === "DEPROVISIONING" || task.lastStatus === "STOPPED") return;
    this.clearTimers(task);
    this.waiting = this.waiting.filter((t) => t !== task);
    task.lastStatus = "DEPROVISIONING";
    task.executionStoppedAt = Date.now();
    for (const c of task.containers) {
      c.lastStatus = "STOPPED";
      c.healthCheck?.stop();
    }
    this.touch(task);
    this.capacity.release(task);
    const forwarder = this.forwarders.get(task.id);
    this.forwarders.delete(task.id);
    void forwarder?.close();
    this.logFiles.end(task.id);
    this.after(task, this.d.config.timings.provisioningMs, () => this.stopped(task));
  }

  private stopped(task: TaskRecord): void {
    task.lastStatus = "STOPPED";
    task.stoppedAt = Date.now();
    this.d.privatePool.release(task.eni?.privateIp);
    this.d.publicPool.release(task.eni?.publicIp);
    // AWS deletes the tags of a stopped task.
    task.tags = [];
    this.touch(task);
  }

  /** End every task process: SIGTERM, SIGKILL after `graceMs`; resolves when all are gone. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    const processes = [...this.d.store.tasks.values()].flatMap((t) => {
      this.clearTimers(t);
      for (const c of t.containers) c.healthCheck?.stop();
      return t.containers.map((c) => c.process).filter((p) => p?.alive());
    });
    for (const p of processes) p?.term();
    const killer = setTimeout(() => {
      for (const p of processes) p?.kill();
    }, graceMs);
    await Promise.all(processes.map((p) => p?.exited));
    clearTimeout(killer);
    await Promise.all([...this.forwarders.values()].map((f) => f.close()));
    this.logFiles.endAll();
  }
}
