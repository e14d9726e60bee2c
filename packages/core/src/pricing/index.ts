/**
 * `ecs-fanout/pricing`: the dated price tables and cost estimates, apart from the run API.
 * Overrides are validated like every other option: an unknown key or a bad value throws a
 * ValidationError naming its path.
 */

import type { z } from "zod";
import { parseOptions } from "../options/check.js";
import { estimateInputSchema, estimatePricingSchema, type PricingOptions } from "../options/pricing.js";
import { type CostedTask, costOfTask, estimateCost } from "./cost.js";

export { fargateSizeProblem } from "../fargate-size.js";
export type { PricingOptions } from "../options/pricing.js";
export type { BillingTimestamps, CostedTask } from "./cost.js";
export type { Ec2GpuPrice, FargateRate, FargateRateTable, S3RequestRate } from "./tables.js";
export {
  DEFAULT_MINIMUM_BILLED_SECONDS,
  EC2_GPU_PRICES,
  FARGATE_RATES,
  FARGATE_SPOT_DISCOUNT,
  MANAGED_INSTANCES_FEE_FRACTION,
  MANAGED_INSTANCES_FEES,
  PRICES_AS_OF,
  PUBLIC_IPV4_HOURLY,
  S3_REQUEST_PRICES,
} from "./tables.js";

/** Price overrides of an estimate: a region is required. */
export type EstimatePricingOptions = PricingOptions & { readonly region: string };
/** What {@link estimateRunCost} prices. */
export type EstimateRunCostInput = z.input<typeof estimateInputSchema>;

/** Billed seconds and USD of one task; `costUsd` undefined when no rate applies. */
export function taskCost(
  task: CostedTask,
  pricing: EstimatePricingOptions,
  now: Date = new Date(),
): { billedSeconds: number; costUsd: number | undefined } {
  return costOfTask(task, parseOptions(estimatePricingSchema, pricing, "pricing options"), now);
}

/**
 * Estimates what a run would cost before running it: `tasks` tasks of the given size, each billed
 * `secondsPerTask` (minimum charge applied).
 */
export function estimateRunCost(
  input: EstimateRunCostInput,
  pricing: EstimatePricingOptions,
): { billedSeconds: number; costUsd: number | undefined; costPerTaskUsd: number | undefined } {
  return estimateCost(
    parseOptions(estimateInputSchema, input, "estimateRunCost input"),
    parseOptions(estimatePricingSchema, pricing, "pricing options"),
  );
}
