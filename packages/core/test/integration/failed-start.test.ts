import { RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  type Env,
  EXECUTION_ROLE,
  recorder,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

describe("tasks that never start", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("quotes ECS's stopped reason when every task fails to start (NO_CAPACITY said only 'replacements used up')", async () => {
    env = await startEnv();
    // awslogs to a group that does not exist, without awslogs-create-group: TaskFailedToStart.
    const registered = await env.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "no-log-group",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        executionRoleArn: EXECUTION_ROLE,
        containerDefinitions: [
          {
            name: "worker",
            image: "ecs-fanout-worker:test",
            essential: true,
            portMappings: [{ containerPort: 8080 }],
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": "/ecs/missing",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "fanout",
              },
            },
          },
        ],
      }),
    );
    const td = registered.taskDefinition?.taskDefinitionArn as string;
    const segments = await syntheticInputs(env, 2);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", ms: 50 },
      maxParallelTasks: 1,
      retry: { minBackoffMs: 50, maxBackoffMs: 500, maxReplacements: 1 },
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(2);
    for (const failure of result.failures) {
      expect(failure.error?.code).toBe("NO_CAPACITY");
      expect(failure.error?.message).toContain("TaskFailedToStart");
      expect(failure.error?.message).toContain("log group does not exist");
    }
    const stopped = rec.of("task.stopped");
    expect(stopped).toHaveLength(2);
    expect(stopped.map((e) => [e.expected, e.stopCode])).toEqual([
      [false, "TaskFailedToStart"],
      [false, "TaskFailedToStart"],
    ]);
    expect(await runningTaskArns(env)).toEqual([]);
  });
});
