import { ListTasksCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { ConfigurationError, executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  CLUSTER,
  type Env,
  recorder,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

const fargateWorker = (family: string, container: Record<string, unknown>) =>
  new RegisterTaskDefinitionCommand({
    family,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    containerDefinitions: [
      {
        name: "worker",
        image: "ecs-fanout-worker:test",
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        ...container,
      },
    ],
  });

/** Every task the cluster ever had, stopped or not. */
async function everyTask(env: Env): Promise<string[]> {
  const running = await env.ecs.send(new ListTasksCommand({ cluster: CLUSTER }));
  const stopped = await env.ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: "STOPPED" }));
  return [...(running.taskArns ?? []), ...(stopped.taskArns ?? [])];
}

describe("configuration failures stop the run early", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("launches nothing when the awslogs group does not exist (each task failed with ResourceInitializationError, then NO_CAPACITY)", async () => {
    env = await startEnv();
    const registered = await env.ecs.send(
      fargateWorker("no-log-group", {
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/missing",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "fanout",
          },
        },
      }),
    );
    const segments = await syntheticInputs(env, 2);
    const rec = recorder();
    const run = executeParallelBatches({
      ...baseOptions(env, registered.taskDefinition?.taskDefinitionArn as string, segments),
      params: { processor: "synthetic", ms: 50 },
      maxParallelTasks: 2,
      onEvent: rec.onEvent,
    });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe("CONFIGURATION");
    expect((error as Error).message).toContain("log group /ecs/missing");
    expect((error as Error).message).toContain("nothing was launched");
    expect(rec.of("task.launched")).toEqual([]);
    expect(await everyTask(env)).toEqual([]);
  });

  it("stops at the first task that cannot pull its image instead of burning every replacement", async () => {
    // Only the worker's own image maps to a command; any other image cannot be pulled.
    env = await startEnv({
      images: [{ match: "ecs-fanout-worker:*", command: ["node", "-e", "setTimeout(() => {}, 60_000)"] }],
    });
    const registered = await env.ecs.send(
      fargateWorker("unpullable", { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/nobody:latest" }),
    );
    const segments = await syntheticInputs(env, 4);
    const rec = recorder();
    const error = await executeParallelBatches({
      ...baseOptions(env, registered.taskDefinition?.taskDefinitionArn as string, segments),
      params: { processor: "synthetic", ms: 50 },
      maxParallelTasks: 2,
      segmentsPerBatch: 2,
      retry: { minBackoffMs: 50, maxBackoffMs: 500, maxReplacements: 5 },
      onEvent: rec.onEvent,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    const config = error as ConfigurationError;
    expect(config.stoppedReason).toMatch(/^CannotPullContainerError/);
    expect(config.taskArn).toMatch(/^arn:aws:ecs:/);
    expect(config.message).toContain("no replacement was launched");
    // Only the two planned tasks: not one of the five replacements.
    expect(rec.of("task.launched")).toHaveLength(2);
    expect(rec.of("task.launched").filter((e) => e.replacementFor !== undefined)).toEqual([]);
    expect(await runningTaskArns(env)).toEqual([]);
  });
});
