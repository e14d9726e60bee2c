import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { type LocalEcsConfig, LocalEcsConfigError, normalizeConfig } from "../src/index.js";
import { runOne, TASK_SCRIPT, testHarness, waitForStatus } from "./helpers.js";

const problems = (config: unknown): string[] => {
  try {
    normalizeConfig(config);
    return [];
  } catch (error) {
    if (error instanceof LocalEcsConfigError) return error.problems;
    throw error;
  }
};

describe("config", () => {
  it("reports every problem at once in the expected … got … voice", () => {
    expect(
      problems({
        port: -1,
        region: "mars",
        timings: { pullMs: "fast" },
        faults: { throttle: { fraction: 3 } },
        colour: "red",
      }),
    ).toEqual([
      'config.colour: expected one of the keys port, host, region, accountId, images, addresses, clusters, capacityProviders, timings, rateLimits, faults, logDir, defaultVpc, runtime, got "colour"',
      "config.port: expected an integer >= 0 <= 65535, got -1",
      'config.region: expected a region such as us-east-1, got "mars"',
      'config.timings.pullMs: expected an integer >= 0, got "fast"',
      "config.faults.throttle.fraction: expected a number >= 0 <= 1, got 3",
    ]);
  });

  it("rejects a non-loopback address pool, a capacity provider named like FARGATE and min > max delays", () => {
    expect(
      problems({
        addresses: { privateCidr: "10.0.0.0/24" },
        capacityProviders: [{ name: "FARGATE_X", gpusPerInstance: 1, instances: 1 }],
        faults: { startupDelayMs: { min: 5, max: 1 } },
      }),
    ).toEqual([
      'config.addresses.privateCidr: expected a 127.0.0.0/8 CIDR with prefix 16-30, got "10.0.0.0/24"',
      'config.capacityProviders[0].name: expected a provider name, got "FARGATE_X"',
    ]);
    expect(problems({ faults: { startupDelayMs: { min: 5, max: 1 } } })).toEqual([
      "config.faults.startupDelayMs: expected min <= max, got 5 > 1",
    ]);
  });

  it("applies the documented defaults", () => {
    expect(normalizeConfig({})).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      region: "us-east-1",
      accountId: "000000000000",
      addresses: { privateCidr: "127.0.1.0/24", publicCidr: "127.0.2.0/24" },
      clusters: ["default"],
      timings: { provisioningMs: 50, pullMs: 100, stopTimeoutMsScale: 1, spotNoticeMs: 2000 },
      rateLimits: false,
    });
  });

  it("creates the configured clusters, uses the region and account, and custom address pools", async () => {
    const h = await testHarness({
      region: "eu-west-1",
      accountId: "123456789012",
      clusters: ["batch"],
      addresses: { privateCidr: "127.0.5.0/24", publicCidr: "127.0.6.0/24" },
      images: [{ match: "worker-*", command: ["node", TASK_SCRIPT] }],
    });
    const out = await h.ecs.send(new DescribeClustersCommand({ clusters: ["batch", "default"] }));
    expect(out.clusters?.map((c) => c.clusterArn)).toEqual([
      "arn:aws:ecs:eu-west-1:123456789012:cluster/batch",
      "arn:aws:ecs:eu-west-1:123456789012:cluster/default",
    ]);
    // The image "ecs-fanout-worker:latest" matches no glob: the task fails to start as an image pull would.
    const stopped = await waitForStatus(h, await runOne(h, { cluster: "batch" }), "STOPPED", "batch");
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toMatch(/CannotPullContainerError/);
  });
});

describe("the ecs-fanout-local bin", () => {
  it("exits 2 with every config problem listed", () => {
    const file = join(tmpdir(), `bad-config-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({ rateLimits: "yes", faults: { missingMs: -5 } } satisfies Record<string, unknown>),
    );
    const result = spawnSync(
      process.execPath,
      [
        "--conditions=ecs-fanout-source",
        "--import",
        "tsx",
        fileURLToPath(new URL("../src/bin.ts", import.meta.url)),
        "--config",
        file,
      ],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('config.rateLimits: expected a boolean, got "yes"');
    expect(result.stderr).toContain("config.faults.missingMs: expected an integer >= 0, got -5");
  });
});

// A config object is typed: this line fails to compile if the contract's shape drifts.
const _typed: LocalEcsConfig = {
  faults: { placementFailures: { script: ["", "RESOURCE:MEMORY"], launchTypes: ["FARGATE_SPOT"] } },
};
void _typed;
