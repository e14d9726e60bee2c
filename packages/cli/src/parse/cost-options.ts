import { expectedGot } from "@ecs-fanout/protocol";
import { EC2_GPU_PRICES, FARGATE_RATES, fargateSizeProblem } from "ecs-fanout";
import { z } from "zod";
import type { CliIo } from "../io.js";
import { checkFlags, integerFlag, nameFlag, numberFlag, switchFlag, whenParsed } from "./flags.js";

const FARGATE_VCPUS: readonly number[] = [0.25, 0.5, 1, 2, 4, 8, 16];
const ARCHITECTURES = { x86_64: "X86_64", arm64: "ARM64" } as const;

/** What the schema needs besides the flags: the region when `--region` is not given. */
export interface CostContext {
  region: string;
}

/** `cost`'s schema: a Fargate size, or an EC2 GPU instance type, priced for a while. */
export function costOptionsSchema(context: CostContext) {
  return z
    .strictObject({
      /** Number of tasks. @default 1 */
      tasks: integerFlag(1, 10_000).default(1),
      /** vCPU per task (Fargate). */
      cpu: numberFlag({ gt: 0 }).optional(),
      /** GB of memory per task (Fargate). */
      memory: numberFlag({ gt: 0 }).optional(),
      /** How long each task runs, in minutes (at most two weeks). */
      minutes: numberFlag({ gt: 0, max: 60 * 24 * 14 }),
      spot: switchFlag,
      /** @default "x86_64" */
      arch: z.enum(["x86_64", "arm64"]).default("x86_64"),
      /** Price EC2 GPU tasks on this instance type instead of Fargate. */
      instanceType: z.string().optional(),
      /** Region of the price table. @default `AWS_REGION`, `AWS_DEFAULT_REGION`, else us-east-1 */
      region: nameFlag.default(context.region),
      json: switchFlag,
    })
    .superRefine(
      (o, ctx) => {
        if (o.instanceType === undefined) return;
        const price = EC2_GPU_PRICES[o.instanceType];
        if (!price) {
          const types = Object.keys(EC2_GPU_PRICES).join(", ");
          ctx.addIssue({
            code: "custom",
            path: ["instanceType"],
            message: expectedGot(`one of ${types}`, o.instanceType),
          });
        } else if (price.hourly[o.region] === undefined) {
          const regions = Object.keys(price.hourly).join(", ");
          ctx.addIssue({
            code: "custom",
            path: ["region"],
            message: expectedGot(`a region with a ${o.instanceType} price (${regions})`, o.region),
          });
        }
        for (const key of ["cpu", "memory", "spot"] as const) {
          if (o[key] === undefined || o[key] === false) continue;
          ctx.addIssue({
            code: "custom",
            path: [key],
            message:
              "expected it only for Fargate, got it with --instance-type (the instance's price covers it)",
          });
        }
      },
      whenParsed("instanceType", "region", "cpu", "memory", "spot"),
    )
    .superRefine(
      (o, ctx) => {
        if (o.instanceType !== undefined) return;
        const sizes = FARGATE_VCPUS.join(", ");
        if (o.cpu === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["cpu"],
            message: `expected vCPU per task (${sizes}), got nothing`,
          });
        else if (!FARGATE_VCPUS.includes(o.cpu))
          ctx.addIssue({
            code: "custom",
            path: ["cpu"],
            message: expectedGot(`a Fargate size (${sizes} vCPU)`, o.cpu),
          });
        if (o.memory === undefined)
          ctx.addIssue({ code: "custom", path: ["memory"], message: "expected GB per task, got nothing" });
        else if (o.cpu !== undefined && FARGATE_VCPUS.includes(o.cpu)) {
          // The core's own table of Fargate sizes, in ECS units (CPU units, MiB).
          const problem = fargateSizeProblem(o.cpu * 1024, o.memory * 1024);
          if (problem)
            ctx.addIssue({
              code: "custom",
              path: ["memory"],
              message: `expected a Fargate size (${problem} MiB)`,
            });
        }
        const rates = FARGATE_RATES[o.region];
        if (!rates) {
          const regions = Object.keys(FARGATE_RATES).join(", ");
          ctx.addIssue({
            code: "custom",
            path: ["region"],
            message: expectedGot(`a region in the price table (${regions})`, o.region),
          });
        } else if (!rates[ARCHITECTURES[o.arch]]) {
          ctx.addIssue({
            code: "custom",
            path: ["arch"],
            message: expectedGot(
              `an architecture priced in ${o.region} (${Object.keys(rates).join(", ")})`,
              o.arch,
            ),
          });
        }
      },
      whenParsed("instanceType", "cpu", "memory", "region", "arch"),
    )
    .transform((o) => {
      const common = { tasks: o.tasks, minutes: o.minutes, region: o.region, json: o.json };
      if (o.instanceType !== undefined)
        return { ...common, kind: "ec2" as const, instanceType: o.instanceType };
      return {
        ...common,
        kind: "fargate" as const,
        // Both are present: the refinement above reports a Fargate run without them.
        cpu: o.cpu!,
        memoryGb: o.memory!,
        spot: o.spot,
        architecture: ARCHITECTURES[o.arch],
      };
    });
}

/** `cost` options after validation: a Fargate size or an EC2 GPU instance type. */
export type CostOptions = z.output<ReturnType<typeof costOptionsSchema>>;

export function normalizeCostOptions(raw: Record<string, unknown>, io: CliIo): CostOptions {
  const region = io.env["AWS_REGION"] ?? io.env["AWS_DEFAULT_REGION"] ?? "us-east-1";
  return checkFlags("cost", costOptionsSchema({ region }), raw);
}
