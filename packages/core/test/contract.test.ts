import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import {
  type BatchRunOptions,
  executeParallelBatches,
  listTasks,
  runParallelBatches,
  ValidationError,
  validateRunOptions,
  workerTaskDefinition,
} from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER, type Env, EXECUTION_ROLE, runningTaskArns, startEnv } from "./integration/helpers.js";

// The public surface as the README words it: the names a reader of the docs would write.

describe("options are validated before any AWS call, every problem in one ValidationError", () => {
  it("lists each bad option and never calls ECS", async () => {
    const ecs = mockClient(ECSClient);
    const bad = {
      segments: [{ id: "a/b", input: {} }],
      cluster: "",
      taskDefinition: "td",
      outputDir: "/tmp/out",
      maxParallelTasks: 0,
      segmentsPerBatch: -1,
      network: { subnets: [], assignPublicIp: "YES" },
      launchType: "FARGATE_SPOT",
      capacityProviderStrategy: [{ capacityProvider: "gpu" }],
      overrides: { cpu: 0.5 },
      clients: { ecs: new ECSClient({ region: "us-east-1" }) },
    } as unknown as BatchRunOptions;
    const error = await executeParallelBatches(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((p) => p.path);
    for (const path of [
      "segments[0].id",
      "segments[0].input",
      "cluster",
      "maxParallelTasks",
      "segmentsPerBatch",
      "network.subnets",
      "network.assignPublicIp",
      "launchType, capacityProviderStrategy",
      "overrides.cpu",
    ])
      expect(paths).toContain(path);
    expect(ecs.calls()).toHaveLength(0);
    ecs.restore();
  });
});

describe("the RunTask spellings of the launch and network options", () => {
  const base = {
    segments: [{ id: "a", input: { path: "/in/a.mp4" } }],
    cluster: "c",
    taskDefinition: "td",
    outputDir: "/out",
  };
  it.each<[string, Record<string, unknown>]>([
    ["launch by name", { launch: "FARGATE_SPOT", network: { subnets: ["s"] } }],
    [
      "launchType with fallbackToOnDemand",
      { launchType: "FARGATE_SPOT", fallbackToOnDemand: false, network: { subnets: ["s"] } },
    ],
    [
      "a top-level capacityProviderStrategy",
      { capacityProviderStrategy: [{ capacityProvider: "gpu", weight: 1 }] },
    ],
    [
      "a strategy inside launch without a type",
      { launch: { capacityProviderStrategy: [{ capacityProvider: "gpu" }] } },
    ],
    [
      "assignPublicIp ENABLED",
      { network: { subnets: ["s"], assignPublicIp: "ENABLED", endpoint: "public" } },
    ],
    [
      "top-level region, endpoint and credentials",
      {
        network: { subnets: ["s"] },
        region: "eu-west-1",
        endpoint: "http://127.0.0.1:1",
        credentials: { accessKeyId: "a", secretAccessKey: "b" },
      },
    ],
    [
      "overrides as numbers and an env list",
      {
        network: { subnets: ["s"] },
        overrides: { cpu: 512, memory: 1024, environment: [{ name: "A", value: "1" }] },
      },
    ],
  ])("accepts %s", (_name, patch) => {
    expect(validateRunOptions({ ...base, ...patch } as unknown as BatchRunOptions)).toEqual([]);
  });

  it("reports a bad top-level endpoint where the merged AWS config is checked", () => {
    const problems = validateRunOptions({
      ...base,
      network: { subnets: ["s"] },
      endpoint: "nope",
    } as unknown as BatchRunOptions);
    expect(problems.map((p) => p.path)).toEqual(["aws.endpoint"]);
  });
});

describe("workerTaskDefinition with just { image, cpu, memory, logGroup }", () => {
  it("defaults the log region and lets awslogs create the group", () => {
    const td = workerTaskDefinition({ image: "w:1", cpu: 256, memory: 512, logGroup: "/ecs/w" });
    const logs = td.containerDefinitions?.[0]?.logConfiguration?.options;
    expect(logs?.["awslogs-region"]).toMatch(/^[a-z]+-[a-z]+-\d$/);
    expect(logs?.["awslogs-create-group"]).toBe("true");
  });

  it("takes RunTask-style strings for cpu and memory, and an ECR image's region", () => {
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const td = workerTaskDefinition({
        image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:1",
        cpu: "1024",
        memory: "2048",
        logGroup: "/ecs/w",
      });
      expect([td.cpu, td.memory]).toEqual(["1024", "2048"]);
      expect(td.containerDefinitions?.[0]?.logConfiguration?.options?.["awslogs-region"]).toBe("eu-west-1");
    } finally {
      if (saved.r !== undefined) process.env.AWS_REGION = saved.r;
      if (saved.d !== undefined) process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });
});

describe("a run on the local endpoint, spelled the way the README words it", () => {
  let env: Env;
  let td: string;
  beforeAll(async () => {
    env = await startEnv();
    const input = workerTaskDefinition({
      image: "ecs-fanout-worker:contract",
      cpu: 256,
      memory: 512,
      logGroup: "/ecs/contract",
      stopTimeoutSeconds: 10,
      executionRoleArn: EXECUTION_ROLE,
      environment: { FANOUT_ENABLE_SYNTHETIC: "1", FANOUT_IDLE_TIMEOUT_SECONDS: "120" },
    });
    const out = await env.ecs.send(new RegisterTaskDefinitionCommand(input));
    td = out.taskDefinition?.taskDefinitionArn as string;
    await mkdir(env.inputDir, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  async function inputs(prefix: string, n: number): Promise<BatchRunOptions["segments"]> {
    const segments = [];
    for (let i = 0; i < n; i++) {
      const path = join(env.inputDir, `${prefix}-${i}.bin`);
      await writeFile(path, `${prefix} ${i}`);
      segments.push({ id: `${prefix}-${i}`, input: { path }, params: { seed: `${prefix}${i}` } });
    }
    return segments;
  }

  const fast = {
    pollIntervalMs: 100,
    retry: { minBackoffMs: 50, maxBackoffMs: 500 },
    timeouts: { workerReadyMs: 30_000, stopWaitMs: 15_000, missingMs: 10_000 },
    apiRate: { readPerSecond: 50, readBurst: 50, modifyPerSecond: 50, modifyBurst: 50 },
  };

  it("streams results with for await, resolves done, and reports segments, tasks and metrics", async () => {
    const segments = await inputs("s", 4);
    const run = runParallelBatches({
      segments,
      cluster: CLUSTER,
      taskDefinition: td,
      outputDir: join(env.dir, "out-a"),
      params: { processor: "synthetic", ms: 100, bytes: 2048 },
      maxParallelTasks: 10,
      segmentsPerBatch: 2,
      launchType: "FARGATE_SPOT",
      fallbackToOnDemand: true,
      network: { subnets: ["subnet-0a11ed0000000001a"], assignPublicIp: "ENABLED", endpoint: "public" },
      overrides: { cpu: 256, memory: 512, environment: [{ name: "EXTRA", value: "1" }] },
      tags: { team: "contract" },
      clientConfig: env.local.clientConfig,
      ...fast,
    });
    const streamed: string[] = [];
    for await (const segment of run) streamed.push(segment.id);
    const result = await run.done;
    expect(streamed.sort()).toEqual(segments.map((s) => s.id).sort());
    expect(result.runId).toBe(run.runId);
    expect(result.plannedTasks).toBe(2); // min(10, ceil(4 / 2))
    expect(result.failures).toEqual([]);
    for (const s of result.segments) {
      expect(s.status).toBe("succeeded");
      expect((await stat(s.outputPath as string)).size).toBe(2048);
      expect(s.bytes).toBe(2048);
      expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(s.attempts).toBe(1);
      expect(s.taskArn).toMatch(/^arn:aws:ecs:/);
      expect(Object.keys(s.timings ?? {})).toEqual(
        expect.arrayContaining(["uploadMs", "processMs", "downloadMs"]),
      );
    }
    for (const t of result.tasks) {
      expect(t.capacityProvider).toBe("FARGATE_SPOT");
      expect([t.cpu, t.memory]).toEqual([256, 512]);
      expect(t.stopCode).toBeDefined();
      expect(t.stoppedAt).toBeInstanceOf(Date);
      expect(t.billedSeconds).toBeGreaterThanOrEqual(60);
      expect(t.costUsd).toBeGreaterThan(0);
    }
    expect(result.tasks.reduce((n, t) => n + t.segmentsSucceeded, 0)).toBe(4);
    const m = result.metrics;
    for (const name of [
      "wallSeconds",
      "sequentialEstimateSeconds",
      "speedupFactor",
      "idealSpeedup",
      "parallelEfficiency",
      "processingEfficiency",
      "totalCostUsd",
      "costPerSegmentUsd",
      "costOverheadVsSequential",
    ] as const)
      expect(typeof m[name], name).toBe("number");
    expect(await runningTaskArns(env)).toEqual([]);
  }, 90_000);

  it("makes the EC2 and Logs clients from a lone ECS client's config (no call leaves the local endpoint)", async () => {
    const segments = await inputs("c", 1);
    const ecs = new ECSClient(env.local.clientConfig);
    try {
      const run = runParallelBatches({
        segments,
        cluster: CLUSTER,
        taskDefinition: td,
        outputDir: join(env.dir, "out-b"),
        params: { processor: "synthetic", ms: 10, bytes: 16 },
        network: { subnets: ["subnet-0a11ed0000000001a"], assignPublicIp: "DISABLED" },
        clients: { ecs },
        ...fast,
      });
      const results = [];
      for await (const r of run.results) results.push(r);
      expect(results.map((r) => r.status)).toEqual(["succeeded"]);
      expect(await readFile(results[0]?.outputPath as string)).toHaveLength(16);
      expect((await run.done).succeeded).toBe(1);
    } finally {
      ecs.destroy();
    }
  }, 60_000);

  it("rejects an aborted run with signal.reason and leaves no task running", async () => {
    const segments = await inputs("x", 4);
    const controller = new AbortController();
    const reason = new Error("stop now");
    const outcome = executeParallelBatches({
      segments,
      cluster: CLUSTER,
      taskDefinition: td,
      outputDir: join(env.dir, "out-c"),
      params: { processor: "synthetic", ms: 5000 },
      maxParallelTasks: 2,
      network: { subnets: ["subnet-0a11ed0000000001a"] },
      aws: env.local.clientConfig,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "segment.started") controller.abort(reason);
      },
      ...fast,
    });
    await expect(outcome).rejects.toBe(reason);
    expect(await runningTaskArns(env)).toEqual([]);
    const listed = await listTasks({ cluster: CLUSTER, clientConfig: env.local.clientConfig });
    expect(listed).toEqual([]);
  }, 60_000);
});
