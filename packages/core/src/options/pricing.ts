import { z } from "zod";
import {
  DEFAULT_MINIMUM_BILLED_SECONDS,
  FARGATE_SPOT_DISCOUNT,
  MANAGED_INSTANCES_FEE_FRACTION,
  PUBLIC_IPV4_HOURLY,
} from "../pricing/tables.js";
import { int, nonEmptyString } from "./common.js";

const fargateRateSchema = z.strictObject({
  vcpuHour: z.number().min(0),
  gbHour: z.number().min(0),
});

const ec2GpuPriceSchema = z.strictObject({
  gpus: int(0),
  vcpus: z.number().positive(),
  memoryGb: z.number().positive(),
  hourly: z.record(nonEmptyString(), z.number().min(0)),
});

/** Price overrides for a run or a cost estimate. */
export const pricingSchema = z.strictObject({
  /** Region whose rates apply. @default the ECS client's region */
  region: nonEmptyString().optional(),
  /** Merged over FARGATE_RATES per region. @default FARGATE_RATES */
  fargate: z
    .record(
      nonEmptyString(),
      z.strictObject({ X86_64: fargateRateSchema.optional(), ARM64: fargateRateSchema.optional() }),
    )
    .optional(),
  /** Merged over EC2_GPU_PRICES per instance type. @default EC2_GPU_PRICES */
  ec2: z.record(nonEmptyString(), ec2GpuPriceSchema).optional(),
  /**
   * ECS Managed Instances management fees, USD per instance-hour, per instance type and region;
   * merged over MANAGED_INSTANCES_FEES per instance type.
   * @default MANAGED_INSTANCES_FEES
   */
  managedInstancesFees: z.record(nonEmptyString(), z.record(nonEmptyString(), z.number().min(0))).optional(),
  /** The management fee as a fraction of the instance price, for types without a listed fee. @default 0.12 */
  managedInstancesFeeFraction: z.number().min(0).max(1).default(MANAGED_INSTANCES_FEE_FRACTION),
  /**
   * S3 request prices, USD per 1,000 requests, per region; merged over S3_REQUEST_PRICES per region.
   * @default S3_REQUEST_PRICES
   */
  s3Requests: z
    .record(
      nonEmptyString(),
      z.strictObject({ putPer1000: z.number().min(0), getPer1000: z.number().min(0) }),
    )
    .optional(),
  /** USD per hour of a task's public IPv4 address (tasks with `assignPublicIp: ENABLED`). @default 0.005 */
  publicIpv4Hourly: z.number().min(0).default(PUBLIC_IPV4_HOURLY),
  /** Fargate Spot discount off on-demand, a fraction below 1. @default 0.66 */
  spotDiscount: z.number().min(0).lt(1).default(FARGATE_SPOT_DISCOUNT),
  /** @default 60 */
  minimumBilledSeconds: z.number().min(0).default(DEFAULT_MINIMUM_BILLED_SECONDS),
  /** CPU architecture of Fargate tasks. @default "X86_64" */
  architecture: z.enum(["X86_64", "ARM64"]).default("X86_64"),
  /** Instance type to price EC2 tasks with when ECS does not say. @default undefined (cost unknown) */
  instanceType: nonEmptyString().optional(),
});

/** Price overrides, as given. */
export type PricingOptions = z.input<typeof pricingSchema>;
/** Prices with every default applied. */
export type Pricing = z.output<typeof pricingSchema>;
/** Prices for one region. */
export type RegionPricing = Pricing & { readonly region: string };

/** Pricing of a cost estimate: the region is required (there is no ECS client to ask). */
export const estimatePricingSchema = pricingSchema.extend({ region: nonEmptyString() });

/** What a cost estimate prices: `tasks` tasks of one size, each billed `secondsPerTask`. */
export const estimateInputSchema = z.strictObject({
  tasks: int(1),
  secondsPerTask: z.number().min(0),
  /** @default "FARGATE" */
  launchType: z.enum(["FARGATE", "FARGATE_SPOT", "EC2", "MANAGED_INSTANCES"]).default("FARGATE"),
  cpuUnits: int(1).optional(),
  memoryMiB: int(1).optional(),
  gpus: int(0).optional(),
  instanceType: nonEmptyString().optional(),
  /** Each task has a public IPv4 address. @default false */
  publicIp: z.boolean().default(false),
});

/** A cost estimate's input, defaults applied. */
export type EstimateInput = z.output<typeof estimateInputSchema>;
