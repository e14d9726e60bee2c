import { EC2_GPU_PRICES, FARGATE_RATES, fargateSizeProblem } from "ecs-fanout/pricing";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { Problems, parseChoice, parseInteger, parsePositiveNumber } from "./values.js";

export interface RawCostOptions {
  tasks?: string;
  cpu?: string;
  memory?: string;
  minutes?: string;
  spot?: boolean;
  arch?: string;
  instanceType?: string;
  region?: string;
  json?: boolean;
}

/** `cost` options after validation: a Fargate size or an EC2 GPU instance type. */
export type CostOptions = {
  tasks: number;
  minutes: number;
  region: string;
  json: boolean;
} & (
  | { kind: "fargate"; cpu: number; memoryGb: number; spot: boolean; architecture: "X86_64" | "ARM64" }
  | { kind: "ec2"; instanceType: string }
);

const FARGATE_VCPUS: readonly number[] = [0.25, 0.5, 1, 2, 4, 8, 16];

export function normalizeCostOptions(raw: RawCostOptions, io: CliIo): CostOptions {
  const problems = new Problems();
  const tasks = problems.take(parseInteger("--tasks", raw.tasks ?? "1", { min: 1, max: 10_000 }));
  const minutes = problems.required(
    raw.minutes,
    "--minutes: expected how long each task runs, got nothing",
    (v) => parsePositiveNumber("--minutes", v, 60 * 24 * 14),
  );
  const region = raw.region ?? io.env["AWS_REGION"] ?? io.env["AWS_DEFAULT_REGION"] ?? "us-east-1";
  const json = Boolean(raw.json);

  if (raw.instanceType !== undefined) {
    const price = EC2_GPU_PRICES[raw.instanceType];
    if (!price) {
      problems.add(
        `--instance-type: expected one of ${Object.keys(EC2_GPU_PRICES).join(", ")}, got ${JSON.stringify(raw.instanceType)}`,
      );
    } else if (price.hourly[region] === undefined) {
      problems.add(
        `--region: expected a region with a ${raw.instanceType} price (${Object.keys(price.hourly).join(", ")}), got ${region}`,
      );
    }
    for (const [flag, value] of [
      ["--cpu", raw.cpu],
      ["--memory", raw.memory],
      ["--spot", raw.spot],
    ] as const) {
      if (value !== undefined && value !== false) {
        problems.add(
          `${flag}: applies to Fargate, got it with --instance-type (the instance's price covers it)`,
        );
      }
    }
    if (!problems.empty) throw new UsageError(problems.list);
    return { kind: "ec2", instanceType: raw.instanceType!, tasks: tasks!, minutes: minutes!, region, json };
  }

  const architecture = problems.take(
    parseChoice("--arch", raw.arch ?? "x86_64", ["x86_64", "arm64"] as const),
  );
  const cpu = problems.required(
    raw.cpu,
    "--cpu: expected vCPU per task (0.25, 0.5, 1, 2, 4, 8 or 16), got nothing",
    (v) => parsePositiveNumber("--cpu", v),
  );
  const memoryGb = problems.required(raw.memory, "--memory: expected GB per task, got nothing", (v) =>
    parsePositiveNumber("--memory", v),
  );
  if (cpu !== undefined && !FARGATE_VCPUS.includes(cpu)) {
    problems.add(`--cpu: expected a Fargate size (${FARGATE_VCPUS.join(", ")} vCPU), got ${raw.cpu}`);
  } else if (cpu !== undefined && memoryGb !== undefined) {
    // The core's own table of Fargate sizes, in ECS units (CPU units, MiB).
    const problem = fargateSizeProblem(cpu * 1024, memoryGb * 1024);
    if (problem) problems.add(`--memory: expected a Fargate size (${problem} MiB)`);
  }
  const arch = architecture === "arm64" ? "ARM64" : "X86_64";
  if (architecture !== undefined) {
    const rates = FARGATE_RATES[region];
    if (!rates) {
      problems.add(
        `--region: expected a region in the price table (${Object.keys(FARGATE_RATES).join(", ")}), got ${region}`,
      );
    } else if (!rates[arch]) {
      problems.add(
        `--arch: expected an architecture priced in ${region} (${Object.keys(rates).join(", ")}), got ${architecture}`,
      );
    }
  }
  if (!problems.empty) throw new UsageError(problems.list);
  return {
    kind: "fargate",
    cpu: cpu!,
    memoryGb: memoryGb!,
    spot: Boolean(raw.spot),
    architecture: arch,
    tasks: tasks!,
    minutes: minutes!,
    region,
    json,
  };
}
