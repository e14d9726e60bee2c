import type { Faults } from "../faults.js";
import {
  hex,
  type InstanceRecord,
  type ManagedProviderRecord,
  newInstanceId,
  type Store,
  type TaskRecord,
} from "../state.js";
import type { AddressPool } from "./addresses.js";
import {
  fitsType,
  type InstanceType,
  matchingTypes,
  neverFitsTypes,
  registeredMemory,
  type TaskNeeds,
} from "./instance-types.js";

/**
 * ECS Managed Instances: ECS launches instances for a provider when tasks need room, in batches
 * (`batchSize` per batch, one batch in flight per provider, each registering `batchDelayMs`
 * later), choosing for each the cheapest matching type that fits. Spot instances may be
 * reclaimed: their tasks get the Spot notice, then the instance goes away.
 */
export class ManagedCapacity {
  private readonly inFlight = new Set<string>();
  private readonly pending = new Map<string, () => readonly TaskNeeds[]>();

  constructor(
    private readonly store: Store,
    private readonly pool: AddressPool,
    private readonly faults: Faults,
    /** Called when an instance registered (tasks waiting for room may fit now). */
    private readonly onAvailable: () => void,
    /** Called for each task on a reclaimed instance: the Spot interruption. */
    private readonly onReclaim: (task: TaskRecord) => void,
  ) {}

  provider(name: string | undefined): ManagedProviderRecord | undefined {
    return name === undefined ? undefined : this.store.managedProviders.get(name);
  }

  /** Why no instance type of the provider can ever hold the task (undefined: one can). */
  neverFits(task: TaskNeeds, provider: ManagedProviderRecord): string | undefined {
    return neverFitsTypes(matchingTypes(provider.requirements), task);
  }

  /** What placing on a full provider reports while instances are on their way. */
  shortReason(task: TaskNeeds): string {
    return task.gpus > 0 ? "RESOURCE:GPU" : "RESOURCE:MEMORY";
  }

  private instancesOf(p: ManagedProviderRecord): InstanceRecord[] {
    return [...this.store.instances.values()].filter((i) => i.provider === p.name && i.cluster === p.cluster);
  }

  /**
   * {@link demand} once the current turn is over, with the tasks waiting then: RunTask launches its
   * tasks one by one, and the batch should be planned for all of them.
   */
  demandSoon(p: ManagedProviderRecord, needs: () => readonly TaskNeeds[]): void {
    if (this.pending.has(p.name)) return;
    this.pending.set(p.name, needs);
    setImmediate(() => {
      const current = this.pending.get(p.name);
      this.pending.delete(p.name);
      if (current) this.demand(p, current());
    });
  }

  /**
   * Launch a batch for tasks that found no room, unless one is already on its way: pack the
   * tasks first-fit into what the registered instances have left, then into new instances of the
   * cheapest type that fits, up to `batchSize` and the provider's `maxInstances`.
   */
  demand(p: ManagedProviderRecord, needs: readonly TaskNeeds[]): void {
    if (this.inFlight.has(p.name) || needs.length === 0) return;
    const { batchSize, maxInstances, batchDelayMs } = this.store.config.managedInstances;
    const existing = this.instancesOf(p);
    const room = existing
      .filter((i) => i.status === "ACTIVE")
      .map((i) => ({
        cpu: i.cpu - i.usedCpu,
        memory: i.memory - i.usedMemory,
        gpus: i.gpuIds.length - i.usedGpus.size,
      }));
    const types = matchingTypes(p.requirements);
    const planned: InstanceType[] = [];
    const budget = Math.min(batchSize, maxInstances - existing.length);
    for (const need of needs) {
      const slot = room.find((r) => r.cpu >= need.cpu && r.memory >= need.memory && r.gpus >= need.gpus);
      if (slot) {
        slot.cpu -= need.cpu;
        slot.memory -= need.memory;
        slot.gpus -= need.gpus;
        continue;
      }
      if (planned.length >= budget) break;
      const type = types.find((t) => fitsType(t, need));
      if (!type) continue;
      planned.push(type);
      room.push({
        cpu: type.vCpus * 1024 - need.cpu,
        memory: registeredMemory(type) - need.memory,
        gpus: type.gpus - need.gpus,
      });
    }
    if (planned.length === 0) return;
    const batch: InstanceRecord[] = [];
    for (const type of planned) {
      const ip = this.pool.allocate();
      if (!ip) break;
      batch.push(this.newInstance(p, type, ip));
    }
    if (batch.length === 0) return;
    this.inFlight.add(p.name);
    const timer = setTimeout(() => {
      this.inFlight.delete(p.name);
      const now = Date.now();
      for (const i of batch) {
        if (!this.store.instances.has(i.id)) continue;
        i.registeredAt = now;
        const reclaimAfter = i.spot ? this.faults.instanceReclaimAfterMs() : undefined;
        if (reclaimAfter !== undefined) setTimeout(() => this.reclaim(i), reclaimAfter).unref();
      }
      this.onAvailable();
    }, batchDelayMs);
    timer.unref();
  }

  private newInstance(p: ManagedProviderRecord, type: InstanceType, ip: string): InstanceRecord {
    const id = hex(16);
    const instance: InstanceRecord = {
      id,
      arn: this.store.arn(`container-instance/${p.cluster.name}/${id}`),
      ec2InstanceId: newInstanceId(),
      cluster: p.cluster,
      provider: p.name,
      instanceType: type.name,
      privateIp: ip,
      cpu: type.vCpus * 1024,
      memory: registeredMemory(type),
      gpuIds: Array.from({ length: type.gpus }, (_, n) => `GPU-${hex(4)}-${n}`),
      usedCpu: 0,
      usedMemory: 0,
      usedGpus: new Set(),
      usedPorts: new Set(),
      tasks: new Set(),
      launchedAt: Date.now(),
      managed: true,
      spot: p.spot,
      status: "ACTIVE",
    };
    this.store.instances.set(id, instance);
    return instance;
  }

  /**
   * EC2 takes a Spot instance back: it drains (nothing new is placed), each of its tasks gets the
   * Spot notice, and after the notice the instance is gone. A no-op for other instances.
   */
  reclaim(i: InstanceRecord): void {
    if (!i.managed || !i.spot || i.status !== "ACTIVE" || !this.store.instances.has(i.id)) return;
    i.status = "DRAINING";
    for (const id of i.tasks) {
      const task = this.store.tasks.get(id);
      if (task) this.onReclaim(task);
    }
    const gone = setTimeout(
      () => {
        this.store.instances.delete(i.id);
        this.pool.release(i.privateIp);
      },
      this.store.config.timings.spotNoticeMs + 2 * this.store.config.timings.provisioningMs + 100,
    );
    gone.unref();
  }

  /** The instance by EC2 instance id or container instance ARN. */
  find(ref: string): InstanceRecord | undefined {
    return [...this.store.instances.values()].find(
      (i) => i.ec2InstanceId === ref || i.arn === ref || i.id === ref,
    );
  }
}
