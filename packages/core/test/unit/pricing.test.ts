import { describe, expect, it } from "vitest";
import { billedSeconds, ec2GpuCost, fargateCost, fargateRate } from "../../src/pricing/cost.js";
import {
  DEFAULT_MINIMUM_BILLED_SECONDS,
  EC2_GPU_PRICES,
  estimateRunCost,
  FARGATE_RATES,
  FARGATE_SPOT_DISCOUNT,
  MANAGED_INSTANCES_FEE_FRACTION,
  MANAGED_INSTANCES_FEES,
  PUBLIC_IPV4_HOURLY,
  taskCost,
} from "../../src/pricing/index.js";

const minimum = { minimumSeconds: DEFAULT_MINIMUM_BILLED_SECONDS };

const at = (iso: string) => new Date(iso);

describe("billedSeconds", () => {
  it("bills from pullStartedAt to stoppedAt, rounded up to the second", () => {
    expect(
      billedSeconds(
        {
          pullStartedAt: at("2026-01-01T10:00:00.000Z"),
          stoppedAt: at("2026-01-01T10:02:30.200Z"),
        },
        minimum,
      ),
    ).toBe(151);
  });

  it("falls back to createdAt when the image pull never started", () => {
    expect(
      billedSeconds(
        { createdAt: at("2026-01-01T10:00:00Z"), stoppedAt: at("2026-01-01T10:05:00Z") },
        minimum,
      ),
    ).toBe(300);
  });

  it("prefers pullStartedAt over createdAt", () => {
    const t = {
      createdAt: at("2026-01-01T09:59:00Z"),
      pullStartedAt: at("2026-01-01T10:00:00Z"),
      stoppedAt: at("2026-01-01T10:05:00Z"),
    };
    expect(billedSeconds(t, minimum)).toBe(300);
  });

  it("applies the 60 s minimum charge by default and a configured one when given", () => {
    const t = { pullStartedAt: at("2026-01-01T10:00:00Z"), stoppedAt: at("2026-01-01T10:00:30.200Z") };
    expect(billedSeconds(t, minimum)).toBe(60);
    expect(billedSeconds(t, { minimumSeconds: 0 })).toBe(31);
  });

  it("bills a task that has not stopped yet up to now", () => {
    const t = { pullStartedAt: at("2026-01-01T10:00:00Z") };
    expect(billedSeconds(t, { ...minimum, now: at("2026-01-01T10:10:00Z") })).toBe(600);
  });

  it("bills nothing for a task with no start stamp", () => {
    expect(billedSeconds({}, minimum)).toBe(0);
  });
});

describe("Fargate cost", () => {
  it("prices 2 vCPU / 4 GB for one hour in us-east-1 at 0.09874 USD", () => {
    const rate = fargateRate("us-east-1", "X86_64");
    expect(rate).toEqual({ vcpuHour: 0.04048, gbHour: 0.004445 });
    // 2 × 0.04048 + 4 × 0.004445 = 0.08096 + 0.01778
    expect(fargateCost({ cpuUnits: 2048, memoryMiB: 4096, seconds: 3600, rate: rate! })).toBeCloseTo(
      0.09874,
      10,
    );
  });

  it("takes the Spot discount (66 % off) for FARGATE_SPOT", () => {
    const rate = FARGATE_RATES["us-east-1"]!.X86_64!;
    expect(
      fargateCost({
        cpuUnits: 2048,
        memoryMiB: 4096,
        seconds: 3600,
        rate,
        spotDiscount: FARGATE_SPOT_DISCOUNT,
      }),
    ).toBeCloseTo(0.09874 * 0.34, 10);
    expect(
      fargateCost({ cpuUnits: 2048, memoryMiB: 4096, seconds: 3600, rate, spotDiscount: 0.7 }),
    ).toBeCloseTo(0.09874 * 0.3, 10);
  });

  it("uses ARM rates for ARM64", () => {
    expect(fargateRate("us-east-1", "ARM64")).toEqual({ vcpuHour: 0.03238, gbHour: 0.00356 });
    expect(fargateRate("eu-central-1", "ARM64")).toBeUndefined();
  });
});

describe("EC2 GPU cost", () => {
  it("prices half an hour of a g5.xlarge at half its hourly price", () => {
    expect(ec2GpuCost({ hourlyPrice: 1.006, seconds: 1800, taskGpus: 1, instanceGpus: 1 })).toBeCloseTo(
      0.503,
      10,
    );
  });

  it("charges a task its share of the instance's GPUs", () => {
    expect(ec2GpuCost({ hourlyPrice: 4, seconds: 3600, taskGpus: 1, instanceGpus: 4 })).toBeCloseTo(1, 10);
  });

  it("knows the dated per-region prices", () => {
    expect(EC2_GPU_PRICES["g5.xlarge"]?.hourly["ap-northeast-2"]).toBe(1.237);
    expect(EC2_GPU_PRICES["g4dn.xlarge"]?.hourly["us-east-1"]).toBe(0.526);
  });
});

describe("taskCost", () => {
  const stamps = { pullStartedAt: at("2026-01-01T10:00:00Z"), stoppedAt: at("2026-01-01T11:00:00Z") };

  it("prices a Fargate task from ECS's cpu and memory", () => {
    const c = taskCost(
      { ...stamps, launchType: "FARGATE", cpuUnits: 1024, memoryMiB: 2048 },
      { region: "us-east-1" },
    );
    expect(c.billedSeconds).toBe(3600);
    expect(c.costUsd).toBeCloseTo(0.04048 + 2 * 0.004445, 10);
  });

  it("prices a FARGATE_SPOT capacity-provider task at the Spot rate", () => {
    const c = taskCost(
      { ...stamps, capacityProvider: "FARGATE_SPOT", cpuUnits: 1024, memoryMiB: 2048 },
      { region: "us-east-1" },
    );
    expect(c.costUsd).toBeCloseTo((0.04048 + 2 * 0.004445) * 0.34, 10);
  });

  it("prices an EC2 GPU task from its instance type", () => {
    const c = taskCost(
      { ...stamps, launchType: "EC2", gpus: 1, instanceType: "g5.xlarge" },
      { region: "us-east-1" },
    );
    expect(c.costUsd).toBeCloseTo(1.006, 10);
  });

  it("leaves the cost unknown (not zero) for a region without rates", () => {
    expect(
      taskCost({ ...stamps, launchType: "FARGATE", cpuUnits: 1024, memoryMiB: 2048 }, { region: "mars-1" })
        .costUsd,
    ).toBeUndefined();
  });

  it("lets a caller override rates and the minimum charge", () => {
    const c = taskCost(
      {
        pullStartedAt: stamps.pullStartedAt,
        stoppedAt: at("2026-01-01T10:00:10Z"),
        launchType: "FARGATE",
        cpuUnits: 1024,
        memoryMiB: 1024,
      },
      {
        region: "mars-1",
        fargate: { "mars-1": { X86_64: { vcpuHour: 3.6, gbHour: 0 } } },
        minimumBilledSeconds: 1,
      },
    );
    expect(c.billedSeconds).toBe(10);
    expect(c.costUsd).toBeCloseTo(0.01, 10);
  });
});

describe("estimateRunCost", () => {
  it("multiplies one task's cost by the task count, minimum charge included", () => {
    const e = estimateRunCost(
      { tasks: 4, secondsPerTask: 30, launchType: "FARGATE", cpuUnits: 2048, memoryMiB: 4096 },
      { region: "us-east-1" },
    );
    expect(e.billedSeconds).toBe(240);
    expect(e.costPerTaskUsd).toBeCloseTo((60 / 3600) * 0.09874, 10);
    expect(e.costUsd).toBeCloseTo(4 * (60 / 3600) * 0.09874, 10);
  });
});

describe("ECS Managed Instances cost", () => {
  const hour = { pullStartedAt: at("2026-01-01T10:00:00Z"), stoppedAt: at("2026-01-01T11:00:00Z") };

  it("prices AWS's example as published: a c6a.2xlarge hour is 0.306 $ of instance plus the 0.037 $ fee", () => {
    expect(MANAGED_INSTANCES_FEES["c6a.2xlarge"]?.["us-east-1"]).toBe(0.037);
    const whole = taskCost(
      {
        ...hour,
        launchType: "MANAGED_INSTANCES",
        instanceType: "c6a.2xlarge",
        cpuUnits: 8192,
        memoryMiB: 16384,
      },
      { region: "us-east-1" },
    );
    expect(whole.costUsd).toBeCloseTo(0.306 + 0.037, 10);
  });

  it("charges a task the share of the instance it takes: the larger of its vCPU and memory fractions", () => {
    // 2 of 8 vCPUs, 8 of 16 GB → half the instance.
    const c = taskCost(
      {
        ...hour,
        launchType: "MANAGED_INSTANCES",
        instanceType: "c6a.2xlarge",
        cpuUnits: 2048,
        memoryMiB: 8192,
      },
      { region: "us-east-1" },
    );
    expect(c.costUsd).toBeCloseTo((0.306 + 0.037) / 2, 10);
  });

  it("charges a GPU task its share of the instance's GPUs plus the fee, 12 % of the price when no fee is listed", () => {
    const one = taskCost(
      {
        ...hour,
        launchType: "MANAGED_INSTANCES",
        instanceType: "g5.xlarge",
        gpus: 1,
        cpuUnits: 2048,
        memoryMiB: 8192,
      },
      { region: "us-east-1" },
    );
    expect(one.costUsd).toBeCloseTo(1.006 * (1 + MANAGED_INSTANCES_FEE_FRACTION), 10);
    const quarter = taskCost(
      { ...hour, launchType: "MANAGED_INSTANCES", instanceType: "g5.12xlarge", gpus: 1 },
      {
        region: "us-east-1",
        ec2: { "g5.12xlarge": { gpus: 4, vcpus: 48, memoryGb: 192, hourly: { "us-east-1": 5.672 } } },
        managedInstancesFees: { "g5.12xlarge": { "us-east-1": 0.5 } },
      },
    );
    expect(quarter.costUsd).toBeCloseTo((5.672 + 0.5) / 4, 10);
  });

  it("bills Managed Instances per second with the one-minute minimum", () => {
    const short = taskCost(
      {
        pullStartedAt: at("2026-01-01T10:00:00Z"),
        stoppedAt: at("2026-01-01T10:00:20Z"),
        launchType: "MANAGED_INSTANCES",
        instanceType: "g4dn.xlarge",
        gpus: 1,
      },
      { region: "us-east-1", managedInstancesFeeFraction: 0.1 },
    );
    expect(short.billedSeconds).toBe(60);
    expect(short.costUsd).toBeCloseTo((60 / 3600) * 0.526 * 1.1, 10);
  });

  it("leaves the cost unknown when the instance type has no price in the region", () => {
    expect(
      taskCost(
        { ...hour, launchType: "MANAGED_INSTANCES", instanceType: "g5.xlarge", gpus: 1 },
        { region: "mars-1" },
      ).costUsd,
    ).toBeUndefined();
  });

  it("estimates a Managed Instances run before it runs", () => {
    const e = estimateRunCost(
      {
        tasks: 8,
        secondsPerTask: 600,
        launchType: "MANAGED_INSTANCES",
        instanceType: "g4dn.xlarge",
        gpus: 1,
      },
      { region: "us-east-1" },
    );
    expect(e.costUsd).toBeCloseTo(8 * (600 / 3600) * 0.526 * 1.12, 10);
  });
});

describe("the public IPv4 charge", () => {
  const hour = { pullStartedAt: at("2026-01-01T10:00:00Z"), stoppedAt: at("2026-01-01T11:00:00Z") };
  const fargate = { ...hour, launchType: "FARGATE", cpuUnits: 1024, memoryMiB: 2048 } as const;

  it("adds 0.005 $ per hour to a task that has a public IP, and nothing to one without", () => {
    expect(PUBLIC_IPV4_HOURLY).toBe(0.005);
    const without = taskCost(fargate, { region: "us-east-1" }).costUsd ?? Number.NaN;
    const withIp = taskCost({ ...fargate, publicIp: true }, { region: "us-east-1" }).costUsd ?? Number.NaN;
    expect(without).toBeCloseTo(0.04048 + 2 * 0.004445, 10);
    expect(withIp - without).toBeCloseTo(0.005, 10);
  });

  it("bills the address for the task's billed seconds, minimum included, at an overridable rate", () => {
    const short = { pullStartedAt: hour.pullStartedAt, stoppedAt: at("2026-01-01T10:00:10Z") };
    const a = taskCost(
      { ...fargate, ...short, publicIp: true },
      { region: "us-east-1", publicIpv4Hourly: 0.36 },
    );
    const b = taskCost({ ...fargate, ...short }, { region: "us-east-1", publicIpv4Hourly: 0.36 });
    expect((a.costUsd ?? 0) - (b.costUsd ?? 0)).toBeCloseTo((60 / 3600) * 0.36, 10);
  });

  it("counts the address in an estimate of tasks with public IPs", () => {
    const base = { tasks: 10, secondsPerTask: 3600, cpuUnits: 1024, memoryMiB: 2048 };
    const without = estimateRunCost(base, { region: "us-east-1" }).costUsd ?? 0;
    const withIp = estimateRunCost({ ...base, publicIp: true }, { region: "us-east-1" }).costUsd ?? 0;
    expect(withIp - without).toBeCloseTo(10 * 0.005, 10);
  });
});
