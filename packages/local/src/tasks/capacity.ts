import type { NormalizedConfig } from "../config.js";
import { hex, type InstanceRecord, newInstanceId, type Store, type TaskRecord } from "../state.js";
import type { AddressPool } from "./addresses.js";

/**
 * EC2 capacity providers as Auto Scaling groups with managed scaling: instances are launched on
 * demand (up to `instances`), register after `provisioningDelayMs`, and then stay. Tasks take CPU,
 * memory, GPUs and host ports from an instance until they stop.
 */
export class Capacity {
  private readonly launching = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly pool: AddressPool,
    /** Called when resources may have become free (an instance registered, a task released). */
    private readonly onAvailable: () => void,
  ) {}

  provider(name: string): NormalizedConfig["capacityProviders"][number] | undefined {
    return this.store.config.capacityProviders.find((p) => p.name === name);
  }

  /** Why a task can never fit this provider's instances (undefined: it can). */
  neverFits(task: TaskRecord, providerName: string): string | undefined {
    const p = this.provider(providerName);
    if (!p) return "RESOURCE:CPU";
    if (task.gpus > p.gpusPerInstance) return "RESOURCE:GPU";
    if (task.cpu > p.cpuPerInstance) return "RESOURCE:CPU";
    if (task.memory > p.memoryPerInstance) return "RESOURCE:MEMORY";
    return undefined;
  }

  private fits(i: InstanceRecord, task: TaskRecord): string | undefined {
    if (i.gpuIds.length - i.usedGpus.size < task.gpus) return "RESOURCE:GPU";
    if (i.cpu - i.usedCpu < task.cpu) return "RESOURCE:CPU";
    if (i.memory - i.usedMemory < task.memory) return "RESOURCE:MEMORY";
    const fixedPorts = task.networkMode === "awsvpc" ? [] : staticHostPorts(task);
    if (fixedPorts.some((p) => i.usedPorts.has(p))) return "RESOURCE:PORTS";
    return undefined;
  }

  private registered(cluster: TaskRecord["cluster"], provider?: string): InstanceRecord[] {
    return [...this.store.instances.values()].filter(
      (i) =>
        i.cluster === cluster &&
        i.registeredAt !== undefined &&
        (provider === undefined || i.provider === provider),
    );
  }

  /** Place on a registered instance with room; the failure reason when none has room. */
  place(task: TaskRecord, provider?: string): InstanceRecord | string {
    const candidates = this.registered(task.cluster, provider);
    if (candidates.length === 0) return "No Container Instances were found in your cluster.";
    let reason = "RESOURCE:CPU";
    for (const i of candidates) {
      const problem = this.fits(i, task);
      if (problem) {
        reason = problem;
        continue;
      }
      i.usedCpu += task.cpu;
      i.usedMemory += task.memory;
      const free = i.gpuIds.filter((g) => !i.usedGpus.has(g)).slice(0, task.gpus);
      for (const g of free) i.usedGpus.add(g);
      for (const p of task.networkMode === "awsvpc" ? [] : staticHostPorts(task)) i.usedPorts.add(p);
      task.containers.forEach((c, n) => {
        c.gpuIds = n === 0 ? free : [];
      });
      i.tasks.add(task.id);
      task.instance = i;
      return i;
    }
    return reason;
  }

  /** Launch instances for tasks that wait on this provider (managed scaling), up to the maximum. */
  scaleOut(cluster: TaskRecord["cluster"], providerName: string, waiting: number): void {
    const p = this.provider(providerName);
    if (!p) return;
    const key = `${cluster.name}/${providerName}`;
    const existing = [...this.store.instances.values()].filter((i) => i.provider === providerName).length;
    let launching = this.launching.get(key) ?? 0;
    while (launching < waiting && existing + launching < p.instances) {
      const ip = this.pool.allocate();
      if (!ip) break;
      launching++;
      const instance: InstanceRecord = {
        id: hex(16),
        arn: "",
        ec2InstanceId: newInstanceId(),
        cluster,
        provider: providerName,
        instanceType: p.instanceType,
        privateIp: ip,
        cpu: p.cpuPerInstance,
        memory: p.memoryPerInstance,
        gpuIds: Array.from({ length: p.gpusPerInstance }, (_, n) => `GPU-${hex(4)}-${n}`),
        usedCpu: 0,
        usedMemory: 0,
        usedGpus: new Set(),
        usedPorts: new Set(),
        tasks: new Set(),
        launchedAt: Date.now(),
      };
      instance.arn = this.store.arn(`container-instance/${cluster.name}/${instance.id}`);
      this.store.instances.set(instance.id, instance);
      const timer = setTimeout(() => {
        instance.registeredAt = Date.now();
        this.launching.set(key, (this.launching.get(key) ?? 1) - 1);
        this.onAvailable();
      }, p.provisioningDelayMs);
      timer.unref();
    }
    this.launching.set(key, launching);
  }

  release(task: TaskRecord): void {
    const i = task.instance;
    if (!i?.tasks.has(task.id)) return;
    i.tasks.delete(task.id);
    i.usedCpu -= task.cpu;
    i.usedMemory -= task.memory;
    for (const c of task.containers) {
      for (const g of c.gpuIds) i.usedGpus.delete(g);
      for (const p of c.ports) i.usedPorts.delete(p.hostPort);
    }
    this.onAvailable();
  }
}

function staticHostPorts(task: TaskRecord): number[] {
  return task.containers.flatMap((c) =>
    (c.def.portMappings ?? []).map((p) => p.hostPort ?? 0).filter((p): p is number => p > 0),
  );
}
