/**
 * Dated price tables and the pure cost formulas the run metrics use. Rates are USD, Linux,
 * on-demand, as AWS's pricing pages listed them (2026-08); override them with `pricing` options.
 */

/** Fargate on-demand rates of one region and architecture. */
export interface FargateRate {
  readonly vcpuHour: number;
  readonly gbHour: number;
}

/** Fargate rates per region, per CPU architecture. */
export type FargateRateTable = Readonly<
  Record<string, { readonly X86_64?: FargateRate; readonly ARM64?: FargateRate }>
>;

/** One EC2 GPU instance type: its GPUs and hourly price per region. */
export interface Ec2GpuPrice {
  readonly gpus: number;
  readonly vcpus: number;
  readonly memoryGb: number;
  readonly hourly: Readonly<Record<string, number>>;
}

/** The date the shipped tables were collected. */
export const PRICES_AS_OF = "2026-08";

/** Fargate Linux rates, USD per vCPU-hour and per GB-hour. us-west-2 is derived; ap-northeast-1 x86 comes from a weak source. */
export const FARGATE_RATES: FargateRateTable = Object.freeze({
  "us-east-1": {
    X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
    ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
  },
  "us-west-2": { X86_64: { vcpuHour: 0.0405, gbHour: 0.00444 } },
  "eu-west-1": {
    X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
    ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
  },
  "eu-central-1": { X86_64: { vcpuHour: 0.04656, gbHour: 0.00511 } },
  "ap-northeast-1": { X86_64: { vcpuHour: 0.05056, gbHour: 0.00553 } },
  "ap-northeast-2": {
    X86_64: { vcpuHour: 0.04656, gbHour: 0.00511 },
    ARM64: { vcpuHour: 0.03725, gbHour: 0.00409 },
  },
});

/** EC2 GPU instance prices, USD per hour (per-second billing, 60 s minimum). */
export const EC2_GPU_PRICES: Readonly<Record<string, Ec2GpuPrice>> = Object.freeze({
  "g4dn.xlarge": { gpus: 1, vcpus: 4, memoryGb: 16, hourly: { "us-east-1": 0.526, "ap-northeast-2": 0.647 } },
  "g4dn.2xlarge": {
    gpus: 1,
    vcpus: 8,
    memoryGb: 32,
    hourly: { "us-east-1": 0.752, "ap-northeast-2": 0.925 },
  },
  "g5.xlarge": { gpus: 1, vcpus: 4, memoryGb: 16, hourly: { "us-east-1": 1.006, "ap-northeast-2": 1.237 } },
  "g5.2xlarge": { gpus: 1, vcpus: 8, memoryGb: 32, hourly: { "us-east-1": 1.212, "ap-northeast-2": 1.4903 } },
  "g6.xlarge": { gpus: 1, vcpus: 4, memoryGb: 16, hourly: { "us-east-1": 0.8048, "ap-northeast-2": 0.9896 } },
  "g6e.xlarge": { gpus: 1, vcpus: 4, memoryGb: 32, hourly: { "us-east-1": 1.861, "ap-northeast-2": 2.288 } },
});

/**
 * Fargate Spot discount off on-demand. AWS says "up to 70 %"; bills show 66–67 %, so we take the
 * smaller discount: a cost report should never come out below the bill.
 */
export const FARGATE_SPOT_DISCOUNT = 0.66;

/** Minimum billed seconds per task (Fargate Linux and EC2 per-second billing). */
export const DEFAULT_MINIMUM_BILLED_SECONDS = 60;

/** Price overrides for a run or a cost estimate. */
export interface PricingOptions {
  /** Region whose rates apply. @default the ECS client's region */
  readonly region?: string;
  /** Merged over {@link FARGATE_RATES} per region. @default FARGATE_RATES */
  readonly fargate?: FargateRateTable;
  /** Merged over {@link EC2_GPU_PRICES} per type. @default EC2_GPU_PRICES */
  readonly ec2?: Readonly<Record<string, Ec2GpuPrice>>;
  /** @default 0.66 */
  readonly spotDiscount?: number;
  /** @default 60 */
  readonly minimumBilledSeconds?: number;
  /** CPU architecture of Fargate tasks. @default "X86_64" */
  readonly architecture?: "X86_64" | "ARM64";
  /** Instance type to price EC2 tasks with when ECS does not say. @default undefined (cost unknown) */
  readonly instanceType?: string;
}

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
  options: { minimumSeconds?: number; now?: Date } = {},
): number {
  const start = task.pullStartedAt ?? task.createdAt;
  if (start === undefined) return 0;
  const end = task.stoppedAt ?? options.now ?? new Date();
  const seconds = Math.ceil(Math.max(0, end.getTime() - start.getTime()) / 1000);
  return Math.max(seconds, options.minimumSeconds ?? DEFAULT_MINIMUM_BILLED_SECONDS);
}

/** Looks up a Fargate rate; undefined when the table has none for the region/architecture. */
export function fargateRate(
  region: string,
  architecture: "X86_64" | "ARM64" = "X86_64",
  table: FargateRateTable = FARGATE_RATES,
): FargateRate | undefined {
  return table[region]?.[architecture];
}

/**
 * Fargate cost in USD: billed hours × (vCPU × $/vCPU-h + GB × $/GB-h), with the Spot discount for
 * FARGATE_SPOT. `cpuUnits` is ECS's unit (1024 = 1 vCPU), `memoryMiB` ECS's MiB (1024 = 1 GB).
 */
export function fargateCost(input: {
  cpuUnits: number;
  memoryMiB: number;
  seconds: number;
  rate: FargateRate;
  spot?: boolean;
  spotDiscount?: number;
}): number {
  const hours = input.seconds / 3600;
  const perHour =
    (input.cpuUnits / 1024) * input.rate.vcpuHour + (input.memoryMiB / 1024) * input.rate.gbHour;
  const discount = input.spot ? (input.spotDiscount ?? FARGATE_SPOT_DISCOUNT) : 0;
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

/** What the cost of one task depends on. */
export interface CostedTask extends BillingTimestamps {
  readonly launchType?: string | undefined;
  readonly capacityProvider?: string | undefined;
  readonly cpuUnits?: number | undefined;
  readonly memoryMiB?: number | undefined;
  readonly gpus?: number | undefined;
  readonly instanceType?: string | undefined;
}

/** Billed seconds and USD of one task under the given pricing; `costUsd` undefined when no rate applies. */
export function taskCost(
  task: CostedTask,
  pricing: PricingOptions & { region: string },
  now: Date = new Date(),
): { billedSeconds: number; costUsd: number | undefined } {
  const seconds = billedSeconds(task, { minimumSeconds: pricing.minimumBilledSeconds, now });
  const isFargate = task.launchType === "FARGATE" || (task.capacityProvider ?? "").startsWith("FARGATE");
  if (isFargate) {
    const table = { ...FARGATE_RATES, ...pricing.fargate };
    const rate = fargateRate(pricing.region, pricing.architecture ?? "X86_64", table);
    if (rate === undefined || task.cpuUnits === undefined || task.memoryMiB === undefined) {
      return { billedSeconds: seconds, costUsd: undefined };
    }
    const spot = task.capacityProvider === "FARGATE_SPOT";
    const costUsd = fargateCost({
      cpuUnits: task.cpuUnits,
      memoryMiB: task.memoryMiB,
      seconds,
      rate,
      spot,
      spotDiscount: pricing.spotDiscount,
    });
    return { billedSeconds: seconds, costUsd };
  }
  const type = task.instanceType ?? pricing.instanceType;
  const price = type === undefined ? undefined : { ...EC2_GPU_PRICES, ...pricing.ec2 }[type];
  const hourly = price?.hourly[pricing.region];
  if (price === undefined || hourly === undefined) return { billedSeconds: seconds, costUsd: undefined };
  const costUsd = ec2GpuCost({
    hourlyPrice: hourly,
    seconds,
    taskGpus: task.gpus && task.gpus > 0 ? task.gpus : price.gpus,
    instanceGpus: price.gpus,
  });
  return { billedSeconds: seconds, costUsd };
}

/**
 * Estimates what a run would cost before running it: `tasks` tasks of the given size, each billed
 * `secondsPerTask` (minimum charge applied).
 */
export function estimateRunCost(
  input: {
    tasks: number;
    secondsPerTask: number;
    launchType?: "FARGATE" | "FARGATE_SPOT" | "EC2";
    cpuUnits?: number;
    memoryMiB?: number;
    gpus?: number;
    instanceType?: string;
  },
  pricing: PricingOptions & { region: string },
): { billedSeconds: number; costUsd: number | undefined; costPerTaskUsd: number | undefined } {
  const start = new Date(0);
  const stop = new Date(input.secondsPerTask * 1000);
  const one = taskCost(
    {
      createdAt: start,
      stoppedAt: stop,
      launchType: input.launchType === "FARGATE_SPOT" ? undefined : input.launchType,
      capacityProvider: input.launchType === "FARGATE_SPOT" ? "FARGATE_SPOT" : undefined,
      cpuUnits: input.cpuUnits,
      memoryMiB: input.memoryMiB,
      gpus: input.gpus,
      instanceType: input.instanceType,
    },
    pricing,
  );
  return {
    billedSeconds: one.billedSeconds * input.tasks,
    costUsd: one.costUsd === undefined ? undefined : one.costUsd * input.tasks,
    costPerTaskUsd: one.costUsd,
  };
}
