import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { type LocalEcs, startLocalEcs } from "@ecs-fanout/local";
import { generateTestVideo, probe } from "@ecs-fanout/video";
import { workerTaskDefinition } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";

const CLUSTER = "cli-mi";
const SUBNET = "subnet-0a11ed0000000001a";

let dir: string;
let clip: string;
let local: LocalEcs;
let ecs: ECSClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-gpu-"));
  clip = join(dir, "clip.mp4");
  await generateTestVideo({ output: clip, seconds: 2, width: 160, height: 90 });
  // Every image runs the real worker bin; the GPU is a Managed Instances one, as on AWS.
  local = await startLocalEcs({
    clusters: [CLUSTER],
    subnets: [SUBNET],
    capacityProviders: [{ name: `gpu-${CLUSTER}`, gpusPerInstance: 1, instances: 2 }],
    managedInstancesProviders: [
      {
        name: `gpu-mi-${CLUSTER}`,
        cluster: CLUSTER,
        instanceRequirements: {
          vCpuCount: { min: 4 },
          memoryMiB: { min: 16384 },
          acceleratorManufacturers: ["nvidia"],
          acceleratorCount: { min: 1, max: 1 },
        },
      },
    ],
    managedInstances: { batchSize: 2, batchDelayMs: 200 },
    timings: { provisioningMs: 10, pullMs: 10, stopTimeoutMsScale: 0.05 },
  });
  ecs = new ECSClient(local.clientConfig);
  await ecs.send(new CreateClusterCommand({ clusterName: "cli-asg", capacityProviders: [`gpu-${CLUSTER}`] }));
  await ecs.send(
    new RegisterTaskDefinitionCommand(
      workerTaskDefinition({
        image: "ecs-fanout-worker:gpu",
        family: `${CLUSTER}-worker-gpu-mi`,
        cpu: 2048,
        memory: 8192,
        gpu: 1,
        compatibility: "MANAGED_INSTANCES",
        logGroup: "/ecs/cli-mi",
        logRegion: local.region,
        executionRoleArn: "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
        stopTimeoutSeconds: 10,
      }),
    ),
  );
}, 60_000);
afterAll(async () => {
  ecs?.destroy();
  await local?.close();
  await rm(dir, { recursive: true, force: true });
});

const awsEnv = () => ({
  AWS_ENDPOINT_URL: local.endpoint,
  AWS_REGION: local.region,
  AWS_ACCESS_KEY_ID: "local",
  AWS_SECRET_ACCESS_KEY: "local",
});

describe("ecs-fanout run --gpu on AWS", () => {
  it("finds the cluster's Managed Instances GPU provider by itself, says so, and runs on it", async () => {
    const out = join(dir, "mi.mp4");
    const run = await runCli(
      ["run", clip, "--out", out, "--gpu", "--tasks", "2", "--segment-seconds", "1", "--cluster", CLUSTER],
      { home: dir, env: awsEnv(), timeoutMs: 100_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `GPU capacity: gpu-mi-${CLUSTER} (ECS Managed Instances, On-Demand; asks for 1+ accelerators)`,
    );
    expect(run.stdout).toMatch(/segments\s+2\/2 succeeded/);
    expect(run.stdout).toContain(`gpu-mi-${CLUSTER}`);
    const result = await probe(out);
    expect([result.width, result.height]).toEqual([320, 180]);
  }, 120_000);

  it("refuses --public-ip with a Managed Instances provider before launching anything", async () => {
    const run = await runCli(
      ["run", clip, "--out", join(dir, "never.mp4"), "--gpu", "--public-ip", "--cluster", CLUSTER],
      { home: dir, env: awsEnv(), timeoutMs: 60_000 },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "--public-ip: expected no public IP (Managed Instances tasks cannot have one)",
    );
  }, 60_000);

  it("falls back to the cluster's Auto Scaling group GPU provider when it has no Managed Instances one", async () => {
    const run = await runCli(
      ["run", clip, "--out", join(dir, "asg.mp4"), "--gpu", "--cluster", "cli-asg", "--subnets", SUBNET],
      { home: dir, env: awsEnv(), timeoutMs: 60_000 },
    );
    // The cluster has no GPU task definition: the run fails at preflight, after saying what it chose.
    expect(run.stderr).toContain(
      `GPU capacity: gpu-${CLUSTER} (an EC2 Auto Scaling group; its name says GPU)`,
    );
  }, 60_000);
});

describe("ecs-fanout run --gpu --local", () => {
  it("runs on the local stack's Managed Instances provider with the stand-in GPU binary, and says which it chose", async () => {
    const out = join(dir, "local-mi.mp4");
    const run = await runCli(
      ["run", clip, "--out", out, "--gpu", "--tasks", "2", "--segment-seconds", "1", "--local"],
      { home: dir, timeoutMs: 100_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /GPU capacity: gpu-mi-\S+ \(ECS Managed Instances, On-Demand; asks for 1\+ accelerators\)/,
    );
    // Instances arrive in batches: the run says how many tasks have their GPU so far.
    expect(run.stderr).toMatch(/waiting for GPU capacity: \d of 2 tasks placed/);
    expect(run.stderr).toMatch(/stand-in/i);
    expect(run.stdout).toMatch(/segments\s+2\/2 succeeded/);
    const result = await probe(out);
    expect([result.width, result.height]).toEqual([320, 180]);
  }, 120_000);
});
