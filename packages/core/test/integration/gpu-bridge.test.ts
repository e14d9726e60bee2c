import { RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { baseOptions, type Env, expectCleanFinish, recorder, startEnv, syntheticInputs } from "./helpers.js";

describe("EC2 GPU capacity provider with bridge networking", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("reaches workers through the container instance's IP and host port, and prices their GPU share", async () => {
    env = await startEnv({
      capacityProviders: [
        {
          name: "gpu",
          gpusPerInstance: 1,
          instances: 2,
          instanceType: "g5.xlarge",
          provisioningDelayMs: 100,
        },
      ],
    });
    const td = await env.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "upscale-gpu",
        requiresCompatibilities: ["EC2"],
        networkMode: "bridge",
        containerDefinitions: [
          {
            name: "worker",
            image: "ecs-fanout-worker:gpu",
            essential: true,
            memory: 1024,
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
            resourceRequirements: [{ type: "GPU", value: "1" }],
            stopTimeout: 10,
            environment: [{ name: "FANOUT_ENABLE_SYNTHETIC", value: "1" }],
          },
        ],
      }),
    );
    const segments = await syntheticInputs(env, 4);
    const rec = recorder();
    const { network: _none, ...options } = baseOptions(
      env,
      td.taskDefinition?.taskDefinitionArn ?? "",
      segments,
    );
    const result = await executeParallelBatches({
      ...options,
      params: { processor: "synthetic", ms: 200, bytes: 8000 },
      launch: {
        type: "CAPACITY_PROVIDER",
        capacityProviderStrategy: [{ capacityProvider: "gpu", weight: 1 }],
      },
      maxParallelTasks: 2,
      segmentsPerBatch: 2,
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(0);
    // A bridge task's port is the dynamic host port, not the container port.
    expect(rec.of("task.running").every((e) => e.port !== 8080)).toBe(true);
    for (const t of result.tasks) {
      expect(t).toMatchObject({
        launchType: "EC2",
        capacityProvider: "gpu",
        instanceType: "g5.xlarge",
        gpus: 1,
      });
      expect(t.costUsd).toBeCloseTo((t.billedSeconds / 3600) * 1.006, 10);
    }
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  });
});
