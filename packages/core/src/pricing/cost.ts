import type { EstimateInput, RegionPricing } from "../options/pricing.js";
import {
  EC2_GPU_PRICES,
  type Ec2GpuPrice,
  FARGATE_RATES,
  type FargateRate,
  type FargateRateTable,
  MANAGED_INSTANCES_FEES,
  S3_REQUEST_PRICES,
} from "./tables.js";

/* The pure cost formulas the run metrics use; `pricing` has every default applied by its schema. */

/** Task timestamps that billing reads. */
export interface BillingTimestamps {
  readonly createdAt?: Date | undefined;
  readonly pullStartedAt?: Date | undefined;
  readonly stoppedAt?: Date | undefined;
}

/**
 * Billed seconds of one task: from `pullStartedAt` (else `createdAt`) to `stoppedAt` (else `now`),
 * rounded up to the whole second, at least `minimumSeconds`. A task with neither start stamp costs 0.
 */
export function billedSeconds(
  task: BillingTimestamps,
  options: { minimumSeconds: number; now?: Date | undefined },
): number {
  const start = task.pullStartedAt ?? task.createdAt;
  if (start === undefined) return 0;
  const end = task.stoppedAt ?? options.now ?? new Date();
  const seconds = Math.ceil(Math.max(0, end.getTime() - start.getTime()) / 1000);
  return Math.max(seconds, options.minimumSeconds);
}

/** Looks up a Fargate rate; undefined when the table has none for the region/architecture. */
export function fargateRate(
  region: string,
  architecture: "X86_64" | "ARM64",
  table: FargateRateTable = FARGATE_RATES,
): FargateRate | undefined {
  return table[region]?.[architecture];
}

/**
 * Fargate cost in USD: billed hours × (vCPU × $/vCPU-h + GB × $/GB-h), with the Spot discount for
 * FARGATE_SPOT (`spotDiscount`). `cpuUnits` is ECS's unit (1024 = 1 vCPU), `memoryMiB` ECS's MiB (1024 = 1 GB).
 */
export function fargateCost(input: {
  cpuUnits: number;
  memoryMiB: number;
  seconds: number;
  rate: FargateRate;
  /** The Spot discount off on-demand; undefined: on-demand. */
  spotDiscount?: number | undefined;
}): number {
  const hours = input.seconds / 3600;
  const perHour =
    (input.cpuUnits / 1024) * input.rate.vcpuHour + (input.memoryMiB / 1024) * input.rate.gbHour;
  const discount = input.spotDiscount ?? 0;
  return hours * perHour * (1 - discount);
}

/** EC2 GPU cost in USD: the instance's hourly price × billed hours × the task's share of the instance's GPUs. */
export function ec2GpuCost(input: {
  hourlyPrice: number;
  seconds: number;
  taskGpus: number;
  instanceGpus: number;
}): number {
  const share = input.instanceGpus > 0 ? Math.min(1, input.taskGpus / input.instanceGpus) : 1;
  return input.hourlyPrice * (input.seconds / 3600) * share;
}

/**
 * ECS Managed Instances cost in USD: the task's share of the instance × (instance price + management
 * fee) × billed hours. Several tasks share an instance, so the share is the task's GPUs over the
 * instance's when it asks for GPUs, else the larger of its vCPU and memory fractions (capped at 1).
 */
export function managedInstancesCost(input: {
  hourlyPrice: number;
  feeHourly: number;
  seconds: number;
  instance: Pick<Ec2GpuPrice, "gpus" | "vcpus" | "memoryGb">;
  taskGpus: number;
  cpuUnits?: number | undefined;
  memoryMiB?: number | undefined;
}): number {
  const { instance } = input;
  const share =
    input.taskGpus > 0 && instance.gpus > 0
      ? input.taskGpus / instance.gpus
      : input.cpuUnits === undefined && input.memoryMiB === undefined
        ? 1
        : Math.max(
            (input.cpuUnits ?? 0) / 1024 / instance.vcpus,
            (input.memoryMiB ?? 0) / 1024 / instance.memoryGb,
          );
  return (input.hourlyPrice + input.feeHourly) * (input.seconds / 3600) * Math.min(1, share);
}

/** A public IPv4 address for `seconds`, in USD. */
export const publicIpv4Cost = (seconds: number, hourly: number): number => (seconds / 3600) * hourly;

/** What the cost of one task depends on. */
export interface CostedTask extends BillingTimestamps {
  /** ECS's launch type: `FARGATE`, `EC2` or `MANAGED_INSTANCES`. */
  readonly launchType?: string | undefined;
  readonly capacityProvider?: string | undefined;
  readonly cpuUnits?: number | undefined;
  readonly memoryMiB?: number | undefined;
  readonly gpus?: number | undefined;
  readonly instanceType?: string | undefined;
  /** Whether the task has a public IPv4 address (`assignPublicIp: ENABLED`), charged per hour. @default false */
  readonly publicIp?: boolean | undefined;
}

/** Billed seconds and USD of one task under the given pricing; `costUsd` undefined when no rate applies. */
export function costOfTask(
  task: CostedTask,
  pricing: RegionPricing,
  now: Date = new Date(),
): { billedSeconds: number; costUsd: number | undefined } {
  const seconds = billedSeconds(task, { minimumSeconds: pricing.minimumBilledSeconds, now });
  const compute = computeCost(task, seconds, pricing);
  // The address is billed for as long as the task holds it, like the task itself.
  const ip = task.publicIp === true ? publicIpv4Cost(seconds, pricing.publicIpv4Hourly) : 0;
  return { billedSeconds: seconds, costUsd: compute === undefined ? undefined : compute + ip };
}

/** The task's compute cost (Fargate, Managed Instances or EC2), undefined when no rate applies. */
function computeCost(task: CostedTask, seconds: number, pricing: RegionPricing): number | undefined {
  const isFargate = task.launchType === "FARGATE" || (task.capacityProvider ?? "").startsWith("FARGATE");
  if (isFargate) {
    const table = { ...FARGATE_RATES, ...pricing.fargate };
    const rate = fargateRate(pricing.region, pricing.architecture, table);
    if (rate === undefined || task.cpuUnits === undefined || task.memoryMiB === undefined) return undefined;
    const spot = task.capacityProvider === "FARGATE_SPOT";
    return fargateCost({
      cpuUnits: task.cpuUnits,
      memoryMiB: task.memoryMiB,
      seconds,
      rate,
      spotDiscount: spot ? pricing.spotDiscount : undefined,
    });
  }
  const type = task.instanceType ?? pricing.instanceType;
  const price = type === undefined ? undefined : { ...EC2_GPU_PRICES, ...pricing.ec2 }[type];
  const hourly = price?.hourly[pricing.region];
  if (type === undefined || price === undefined || hourly === undefined) return undefined;
  const taskGpus = task.gpus !== undefined && task.gpus > 0 ? task.gpus : 0;
  if (task.launchType === "MANAGED_INSTANCES") {
    const listed = { ...MANAGED_INSTANCES_FEES, ...pricing.managedInstancesFees }[type]?.[pricing.region];
    return managedInstancesCost({
      hourlyPrice: hourly,
      feeHourly: listed ?? hourly * pricing.managedInstancesFeeFraction,
      seconds,
      instance: price,
      taskGpus,
      cpuUnits: task.cpuUnits,
      memoryMiB: task.memoryMiB,
    });
  }
  return ec2GpuCost({
    hourlyPrice: hourly,
    seconds,
    taskGpus: taskGpus > 0 ? taskGpus : price.gpus,
    instanceGpus: price.gpus,
  });
}

/** What a run of `tasks` tasks of one size would cost, each billed `secondsPerTask` (minimum charge applied). */
export function estimateCost(
  input: EstimateInput,
  pricing: RegionPricing,
): { billedSeconds: number; costUsd: number | undefined; costPerTaskUsd: number | undefined } {
  const spot = input.launchType === "FARGATE_SPOT";
  const one = costOfTask(
    {
      createdAt: new Date(0),
      stoppedAt: new Date(input.secondsPerTask * 1000),
      launchType: spot ? undefined : input.launchType,
      capacityProvider: spot ? "FARGATE_SPOT" : undefined,
      cpuUnits: input.cpuUnits,
      memoryMiB: input.memoryMiB,
      gpus: input.gpus,
      instanceType: input.instanceType,
      publicIp: input.publicIp,
    },
    pricing,
  );
  return {
    billedSeconds: one.billedSeconds * input.tasks,
    costUsd: one.costUsd === undefined ? undefined : one.costUsd * input.tasks,
    costPerTaskUsd: one.costUsd,
  };
}

/**
 * USD of a run's S3 requests at the region's S3 Standard request prices (the `pricing.s3Requests`
 * override first); undefined when the region has no listed price. Transfer between S3 and tasks in
 * the same region is free, so requests are all S3 charges a run adds while it runs.
 */
export function s3RequestsCost(
  count: { put: number; get: number },
  pricing: RegionPricing,
): number | undefined {
  const rate = pricing.s3Requests?.[pricing.region] ?? S3_REQUEST_PRICES[pricing.region];
  if (rate === undefined) return undefined;
  return (count.put / 1000) * rate.putPer1000 + (count.get / 1000) * rate.getPer1000;
}
