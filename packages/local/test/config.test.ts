import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { type LocalEcsConfig, LocalEcsConfigError, normalizeConfig, startLocalEcs } from "../src/index.js";
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
  it("reports every problem at once, each named by its path, in the expected … got … voice", () => {
    expect(
      problems({
        port: -1,
        region: "mars",
        timings: { pullMs: "fast" },
        faults: { throttle: { fraction: 3 } },
        colour: "red",
      }),
    ).toEqual([
      "config.port: expected an integer from 0 to 65535, got -1",
      'config.region: expected a region such as us-east-1, got "mars"',
      'config.timings.pullMs: expected an integer ≥ 0, got "fast"',
      "config.faults.throttle.fraction: expected a number from 0 to 1, got 3",
      'config.colour: expected a known key, got "colour"',
    ]);
  });

  it("names the closest known key for a typo at any depth", () => {
    expect(
      problems({
        timngs: {},
        faults: { crashes: { fraction: 0.1, aftrMs: 5 } },
        capacityProviders: [{ name: "gpu", gpusPerInstance: 1, instances: 1, instanceTyp: "g5.xlarge" }],
        images: [{ match: "*", comand: ["node"] }],
      }),
    ).toEqual(
      expect.arrayContaining([
        'config.timngs: expected a known key (did you mean "timings"?), got "timngs"',
        'config.faults.crashes.aftrMs: expected a known key (did you mean "afterMs"?), got "aftrMs"',
        'config.capacityProviders[0].instanceTyp: expected a known key (did you mean "instanceType"?), got "instanceTyp"',
        'config.images[0].comand: expected a known key (did you mean "command"?), got "comand"',
      ]),
    );
  });

  it("rejects a non-loopback address pool, a capacity provider named like FARGATE, twice the same provider and min > max delays", () => {
    expect(
      problems({
        addresses: { privateCidr: "10.0.0.0/24" },
        capacityProviders: [
          { name: "FARGATE_X", gpusPerInstance: 1, instances: 1 },
          { name: "gpu", gpusPerInstance: 1, instances: 1 },
          { name: "gpu", gpusPerInstance: 1, instances: 1 },
        ],
        faults: { startupDelayMs: { min: 5, max: 1 } },
      }),
    ).toEqual([
      'config.addresses.privateCidr: expected a 127.0.0.0/8 CIDR with prefix 16-30, got "10.0.0.0/24"',
      'config.capacityProviders[0].name: expected a provider name (letters, digits, - and _, not starting with aws, ecs or fargate), got "FARGATE_X"',
      "config.faults.startupDelayMs: expected min (5) ≤ max, got 1",
      'config.capacityProviders[2].name: expected a name not used by another provider, got "gpu"',
    ]);
  });

  it("rejects an unknown key before anything starts: no port is bound", async () => {
    await expect(startLocalEcs({ port: 1, clustrs: ["x"] } as LocalEcsConfig)).rejects.toThrow(
      'config.clustrs: expected a known key (did you mean "clusters"?), got "clustrs"',
    );
  });

  it("applies the documented defaults, with no cluster at all", () => {
    expect(normalizeConfig({})).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      region: "us-east-1",
      accountId: "000000000000",
      addresses: { privateCidr: "127.0.1.0/24", publicCidr: "127.0.2.0/24" },
      clusters: [],
      subnets: [],
      capacityProviders: [],
      timings: {
        provisioningMs: 50,
        pullMs: 100,
        stopTimeoutMsScale: 1,
        spotNoticeMs: 2000,
        healthCheckMsScale: 1,
      },
      rateLimits: false,
      faults: {},
      defaultVpc: true,
      runtime: "process",
    });
    expect(
      normalizeConfig({ capacityProviders: [{ name: "gpu", gpusPerInstance: 1, instances: 2 }] })
        .capacityProviders,
    ).toEqual([
      {
        name: "gpu",
        gpusPerInstance: 1,
        instances: 2,
        instanceType: "g5.xlarge",
        cpuPerInstance: 4096,
        memoryPerInstance: 15360,
        provisioningDelayMs: 0,
      },
    ]);
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
    ]);
    // Like a new account: no "default" cluster unless it was made.
    expect(out.failures).toEqual([
      { arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/default", reason: "MISSING" },
    ]);
    // The image "ecs-fanout-worker:latest" matches no glob: the task fails to start as an image pull would.
    const stopped = await waitForStatus(h, await runOne(h, { cluster: "batch" }), "STOPPED", "batch");
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toMatch(/CannotPullContainerError/);
  });
});

const BIN = [
  "--conditions=ecs-fanout-source",
  "--import",
  "tsx",
  fileURLToPath(new URL("../src/bin.ts", import.meta.url)),
];

describe("the ecs-fanout-local bin", () => {
  it("exits 2 with every config problem listed", () => {
    const file = join(tmpdir(), `bad-config-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({ rateLimits: "yes", faults: { missingMs: -5 }, prot: 1 } satisfies Record<
        string,
        unknown
      >),
    );
    const result = spawnSync(process.execPath, [...BIN, "--config", file], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('config.rateLimits: expected true or false, got "yes"');
    expect(result.stderr).toContain("config.faults.missingMs: expected an integer ≥ 0, got -5");
    expect(result.stderr).toContain('config.prot: expected a known key (did you mean "port"?), got "prot"');
  });

  it("prints exports botocore clients read too: AWS_DEFAULT_REGION beside AWS_REGION", async () => {
    const child = spawn(process.execPath, [...BIN, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("AWS_SECRET_ACCESS_KEY")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`bin exited ${code}`)));
      });
      expect(out).toContain("export AWS_REGION=us-east-1\n");
      expect(out).toContain("export AWS_DEFAULT_REGION=us-east-1\n");
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  });
});

// A config object is typed: this line fails to compile if the contract's shape drifts.
const _typed: LocalEcsConfig = {
  faults: { placementFailures: { script: ["", "RESOURCE:MEMORY"], launchTypes: ["FARGATE_SPOT"] } },
};
void _typed;
