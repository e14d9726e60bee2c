import { z } from "zod";
import { int, nonEmptyString } from "./common.js";

const strategyItemSchema = z.strictObject({
  capacityProvider: nonEmptyString(),
  /** @default 0 */
  weight: int(0, 1000).optional(),
  /** @default 0 */
  base: int(0, 100_000).optional(),
});

/**
 * How tasks get capacity, always as `{ type, … }`:
 * - `{ type: "FARGATE" }`
 * - `{ type: "FARGATE_SPOT", fallbackToOnDemand? }`: on-demand Fargate when Spot has no capacity
 * - `{ type: "EC2" }`
 * - `{ type: "CAPACITY_PROVIDER", capacityProviderStrategy }`: passed to RunTask as is (1 to 20
 *   providers), e.g. a GPU EC2 Auto Scaling provider
 */
export const launchSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("FARGATE") }),
    z.strictObject({
      type: z.literal("FARGATE_SPOT"),
      /**
       * Launch on-demand Fargate when Spot capacity is unavailable.
       * @default true
       */
      fallbackToOnDemand: z.boolean().default(true),
    }),
    z.strictObject({ type: z.literal("EC2") }),
    z.strictObject({
      type: z.literal("CAPACITY_PROVIDER"),
      capacityProviderStrategy: z.array(strategyItemSchema).min(1).max(20),
    }),
  ])
  .describe('{ type: "FARGATE" | "FARGATE_SPOT" | "EC2" | "CAPACITY_PROVIDER" }');

/** How tasks get capacity, as given. */
export type LaunchOptions = z.input<typeof launchSchema>;
/** How tasks get capacity, defaults applied (what launching reads). */
export type Launch = z.output<typeof launchSchema>;

/** Whether a launch runs on Fargate (no GPUs, always awsvpc). */
export const isFargateLaunch = (launch: { readonly type?: unknown } | undefined): boolean =>
  launch?.type === "FARGATE" || launch?.type === "FARGATE_SPOT";
