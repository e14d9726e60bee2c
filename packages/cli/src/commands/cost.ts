import {
  DEFAULT_MINIMUM_BILLED_SECONDS,
  EC2_GPU_PRICES,
  estimateRunCost,
  FARGATE_RATES,
  FARGATE_SPOT_DISCOUNT,
  PRICES_AS_OF,
} from "ecs-fanout";
import { ExitCode } from "../errors.js";
import { type CliIo, println } from "../io.js";
import { type CostOptions, normalizeCostOptions } from "../parse/cost-options.js";
import { formatSeconds, formatUsd } from "../report/format.js";
import { renderPairs } from "../report/table.js";

/** A priced estimate: the normalized options and what they cost under the shipped table. */
export interface CostEstimate {
  options: CostOptions;
  pricesAsOf: string;
  billedSecondsPerTask: number;
  costPerTaskUsd: number;
  totalCostUsd: number;
  rate: string;
  /** For on-demand Fargate: what the same on Fargate Spot would cost. */
  spotAlternativeUsd?: number;
}

/** Prices the estimate with the core's own table and formulas, the ones run reports use. */
export function estimate(options: CostOptions): CostEstimate {
  const secondsPerTask = options.minutes * 60;
  if (options.kind === "ec2") {
    const price = EC2_GPU_PRICES[options.instanceType]!;
    const est = estimateRunCost(
      {
        tasks: options.tasks,
        secondsPerTask,
        launchType: "EC2",
        instanceType: options.instanceType,
        gpus: price.gpus,
      },
      { region: options.region },
    );
    return {
      options,
      pricesAsOf: PRICES_AS_OF,
      billedSecondsPerTask: est.billedSeconds / options.tasks,
      costPerTaskUsd: est.costPerTaskUsd!,
      totalCostUsd: est.costUsd!,
      rate: `$${price.hourly[options.region]} per ${options.instanceType} hour (${price.gpus} GPU, ${price.vcpus} vCPU, ${price.memoryGb} GB)`,
    };
  }
  const sized = {
    tasks: options.tasks,
    secondsPerTask,
    cpuUnits: options.cpu * 1024,
    memoryMiB: options.memoryGb * 1024,
  };
  const pricing = { region: options.region, architecture: options.architecture };
  const est = estimateRunCost({ ...sized, launchType: options.spot ? "FARGATE_SPOT" : "FARGATE" }, pricing);
  const rate = FARGATE_RATES[options.region]![options.architecture]!;
  const result: CostEstimate = {
    options,
    pricesAsOf: PRICES_AS_OF,
    billedSecondsPerTask: est.billedSeconds / options.tasks,
    costPerTaskUsd: est.costPerTaskUsd!,
    totalCostUsd: est.costUsd!,
    rate:
      `$${rate.vcpuHour} per vCPU-hour + $${rate.gbHour} per GB-hour` +
      (options.spot ? `, less the Fargate Spot discount (${Math.round(FARGATE_SPOT_DISCOUNT * 100)}%)` : ""),
  };
  if (!options.spot) {
    result.spotAlternativeUsd = estimateRunCost({ ...sized, launchType: "FARGATE_SPOT" }, pricing).costUsd;
  }
  return result;
}

/** The human-readable estimate `ecs-fanout cost` prints. */
export function formatEstimate(e: CostEstimate): string {
  const o = e.options;
  const what =
    o.kind === "ec2"
      ? `${o.tasks} task(s) on ${o.instanceType}`
      : `${o.tasks} task(s) × ${o.cpu} vCPU / ${o.memoryGb} GB on ${o.spot ? "FARGATE_SPOT" : "FARGATE"} (${o.architecture})`;
  const pairs: Array<[string, string]> = [
    ["estimate", `${what}, ${formatSeconds(o.minutes * 60)} each`],
    ["region", `${o.region} (prices as of ${e.pricesAsOf})`],
    ["rate", e.rate],
    [
      "billed per task",
      `${e.billedSecondsPerTask}s${e.billedSecondsPerTask > o.minutes * 60 ? ` (${DEFAULT_MINIMUM_BILLED_SECONDS}s minimum charge)` : ""}`,
    ],
    ["cost per task", formatUsd(e.costPerTaskUsd)],
    ["total", formatUsd(e.totalCostUsd)],
  ];
  if (e.spotAlternativeUsd !== undefined)
    pairs.push(["on Fargate Spot", `${formatUsd(e.spotAlternativeUsd)} (--spot)`]);
  return renderPairs(pairs);
}

export async function costCommand(raw: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const options = normalizeCostOptions(raw, io);
  const result = estimate(options);
  if (options.json) println(io.stdout, JSON.stringify(result, null, 2));
  else println(io.stdout, formatEstimate(result));
  return ExitCode.ok;
}
