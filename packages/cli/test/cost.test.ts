import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EC2_GPU_PRICES, FARGATE_RATES, FARGATE_SPOT_DISCOUNT } from "ecs-fanout/pricing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.js";
import { runCli } from "./support/cli.js";
import { memoryIo } from "./support/io.js";

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "cli-cost-"));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

interface Estimate {
  totalCostUsd: number;
  costPerTaskUsd: number;
  billedSecondsPerTask: number;
  spotAlternativeUsd?: number;
}

async function estimate(...argv: string[]): Promise<Estimate> {
  const io = memoryIo({ home });
  const code = await main(["cost", ...argv, "--json"], io);
  expect(code, io.err()).toBe(0);
  return JSON.parse(io.out()) as Estimate;
}

const usEast = FARGATE_RATES["us-east-1"]!.X86_64!;

describe("ecs-fanout cost", () => {
  it("prices 8 tasks of 2 vCPU / 4 GB for 10 minutes from the Fargate table, as a process", async () => {
    const run = await runCli(
      ["cost", "--tasks", "8", "--cpu", "2", "--memory", "4", "--minutes", "10", "--json"],
      {
        home,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Estimate;
    const perTask = (2 * usEast.vcpuHour + 4 * usEast.gbHour) * (10 / 60);
    expect(result.costPerTaskUsd).toBeCloseTo(perTask, 10);
    expect(result.totalCostUsd).toBeCloseTo(8 * perTask, 10);
    expect(result.spotAlternativeUsd).toBeCloseTo(8 * perTask * (1 - FARGATE_SPOT_DISCOUNT), 10);
  });

  it("applies the Spot discount with --spot", async () => {
    const spot = await estimate("--tasks", "4", "--cpu", "1", "--memory", "2", "--minutes", "30", "--spot");
    const onDemand = 4 * (1 * usEast.vcpuHour + 2 * usEast.gbHour) * 0.5;
    expect(spot.totalCostUsd).toBeCloseTo(onDemand * (1 - FARGATE_SPOT_DISCOUNT), 10);
    expect(spot.spotAlternativeUsd).toBeUndefined();
  });

  it("bills the 60 s minimum for a 30-second task", async () => {
    const short = await estimate("--cpu", "0.25", "--memory", "0.5", "--minutes", "0.5");
    expect(short.billedSecondsPerTask).toBe(60);
    expect(short.totalCostUsd).toBeCloseTo((0.25 * usEast.vcpuHour + 0.5 * usEast.gbHour) / 60, 12);
  });

  it("uses the region's and architecture's rates", async () => {
    const arm = await estimate(
      "--cpu",
      "2",
      "--memory",
      "4",
      "--minutes",
      "60",
      "--arch",
      "arm64",
      "--region",
      "ap-northeast-2",
    );
    const rate = FARGATE_RATES["ap-northeast-2"]!.ARM64!;
    expect(arm.totalCostUsd).toBeCloseTo(2 * rate.vcpuHour + 4 * rate.gbHour, 10);
  });

  it("prices GPU tasks by the instance's hourly price", async () => {
    const gpu = await estimate("--tasks", "2", "--instance-type", "g5.xlarge", "--minutes", "30");
    expect(gpu.totalCostUsd).toBeCloseTo(2 * EC2_GPU_PRICES["g5.xlarge"]!.hourly["us-east-1"]! * 0.5, 10);
  });

  it("prints a readable estimate without --json", async () => {
    const io = memoryIo({ home });
    expect(await main(["cost", "--tasks", "8", "--cpu", "2", "--memory", "4", "--minutes", "10"], io)).toBe(
      0,
    );
    expect(io.out()).toMatch(/total\s+\$0\.132/);
    expect(io.out()).toMatch(/prices as of \d{4}-\d{2}/);
  });
});
