import { RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import type { LocalEcsConfig } from "@ecs-fanout/local";
import { type BatchRunOptions, executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  CLUSTER,
  type Env,
  expectCleanFinish,
  recorder,
  SUBNET,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

/** A Managed Instances GPU provider whose instances arrive `batchSize` at a time, `batchDelayMs` apart. */
const managed = (managedInstances: LocalEcsConfig["managedInstances"]): LocalEcsConfig => ({
  managedInstancesProviders: [
    {
      name: "gpu-mi",
      cluster: CLUSTER,
      instanceRequirements: {
        vCpuCount: { min: 4 },
        memoryMiB: { min: 16384 },
        acceleratorManufacturers: ["nvidia"],
        acceleratorCount: { min: 1, max: 1 },
      },
    },
  ],
  managedInstances,
});

const gpuWorker: RegisterTaskDefinitionCommandInput = {
  family: "upscale-mi",
  networkMode: "awsvpc",
  requiresCompatibilities: ["MANAGED_INSTANCES"],
  cpu: "2048",
  memory: "8192",
  containerDefinitions: [
    {
      name: "worker",
      image: "ecs-fanout-worker:gpu",
      essential: true,
      portMappings: [{ containerPort: 8080 }],
      resourceRequirements: [{ type: "GPU", value: "1" }],
      stopTimeout: 10,
      environment: [{ name: "FANOUT_ENABLE_SYNTHETIC", value: "1" }],
    },
  ],
};

const onMi: BatchRunOptions["launch"] = {
  type: "CAPACITY_PROVIDER",
  capacityProviderStrategy: [{ capacityProvider: "gpu-mi", weight: 1 }],
};

describe("waiting for Managed Instances capacity", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("retries placements refused while instances arrive in batches, reports how many are placed, and finishes", async () => {
    env = await startEnv(managed({ batchSize: 2, batchDelayMs: 400, whileLaunching: "fail" }));
    const td = await env.ecs.send(new RegisterTaskDefinitionCommand(gpuWorker));
    const segments = await syntheticInputs(env, 4);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td.taskDefinition?.taskDefinitionArn ?? "", segments),
      network: { subnets: [SUBNET], assignPublicIp: false },
      params: { processor: "synthetic", ms: 100, bytes: 2000 },
      launch: onMi,
      maxParallelTasks: 4,
      // Few retries, but the timeout rules: instances take two batches to arrive.
      retry: { minBackoffMs: 50, maxBackoffMs: 200, launchRetries: 1 },
      capacityTimeout: 20_000,
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(0);
    expect(result.tasksLaunched).toBe(4);
    const refused = rec.of("task.launchFailed");
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.flatMap((e) => e.reasons)).toContain("RESOURCE:GPU");
    const waiting = rec.of("capacity.waiting");
    expect(waiting.every((e) => e.gpu && e.wanted === 4)).toBe(true);
    const placed = waiting.map((e) => e.placed);
    // Counted up as batches land, ending with every task placed.
    expect(placed).toEqual([...placed].sort((a, b) => a - b));
    expect(placed.some((p) => p > 0 && p < 4)).toBe(true);
    expect(placed.at(-1)).toBe(4);
    for (const t of result.tasks) expect(t.launchType).toBe("MANAGED_INSTANCES");
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  });

  it("stops a task still PROVISIONING past capacityTimeout with a clear reason and reports the segments it could not run", async () => {
    env = await startEnv(managed({ maxInstances: 0, whileLaunching: "wait" }));
    const td = await env.ecs.send(new RegisterTaskDefinitionCommand(gpuWorker));
    const segments = await syntheticInputs(env, 2);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td.taskDefinition?.taskDefinitionArn ?? "", segments),
      params: { processor: "synthetic", ms: 50, bytes: 100 },
      launch: onMi,
      maxParallelTasks: 1,
      capacityTimeout: 800,
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(2);
    expect(result.failures.map((f) => f.error?.message)).toEqual([
      expect.stringMatching(/no capacity within capacityTimeout \(800 ms\): 0 of 1 tasks placed/),
      expect.stringMatching(/no capacity within capacityTimeout/),
    ]);
    // One task, stopped by us with the reason, never replaced.
    expect(result.tasksLaunched).toBe(1);
    expect(result.tasks[0]?.lostBecause).toMatch(
      /no capacity within capacityTimeout \(800 ms\): still PROVISIONING/,
    );
    expect(result.tasks[0]?.stoppedReason).toMatch(/ecs-fanout: no capacity within capacityTimeout/);
    expect(rec.of("capacity.waiting")[0]).toMatchObject({ placed: 0, wanted: 1, gpu: true });
  });
});
