import { DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { stopTask } from "../../src/ecs/stop.js";
import { AwsCallError } from "../../src/errors.js";
import { cleanupStaleTasks } from "../../src/manage/cleanup.js";
import { awsError, testContext } from "./aws-context.js";

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

const arn = "arn:aws:ecs:us-east-1:1:task/c/t1";

describe("stopTask on a task that is already stopped (AccessDenied once ECS dropped its tags)", () => {
  it("makes no call for a task last seen STOPPED", async () => {
    expect(await stopTask(testContext(), arn, "r", { known: { lastStatus: "STOPPED" } })).toBe(
      "already-stopped",
    );
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it("counts AccessDenied on a task seen stopping as stopped", async () => {
    ecs.on(StopTaskCommand).rejects(awsError("AccessDeniedException"));
    const known = { lastStatus: "RUNNING", desiredStatus: "STOPPED" };
    expect(await stopTask(testContext(), arn, "r", { known })).toBe("already-stopped");
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it.each([
    ["STOPPED now", { tasks: [{ taskArn: arn, lastStatus: "STOPPED", desiredStatus: "STOPPED" }] }],
    ["gone (MISSING)", { failures: [{ arn, reason: "MISSING" }] }],
  ])("looks once more after AccessDenied and counts a task %s as stopped", async (_, described) => {
    ecs.on(StopTaskCommand).rejects(awsError("AccessDeniedException"));
    ecs.on(DescribeTasksCommand).resolves(described);
    expect(await stopTask(testContext(), arn, "r", { known: { lastStatus: "RUNNING" } })).toBe(
      "already-stopped",
    );
  });

  it("still reports AccessDenied on a task that is RUNNING", async () => {
    ecs.on(StopTaskCommand).rejects(awsError("AccessDeniedException"));
    ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [{ taskArn: arn, lastStatus: "RUNNING", desiredStatus: "RUNNING" }] });
    await expect(stopTask(testContext(), arn, "r")).rejects.toBeInstanceOf(AwsCallError);
  });

  it("cleanupStaleTasks lists a task that stopped meanwhile as stopped, not failed", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn] });
    const running = {
      taskArn: arn,
      startedBy: "ecs-fanout",
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
      createdAt: new Date(Date.now() - 3600_000),
      tags: [{ key: "ecs-fanout:managed-by", value: "ecs-fanout" }],
    };
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [running] })
      .resolves({ tasks: [{ ...running, lastStatus: "STOPPED", desiredStatus: "STOPPED", tags: [] }] });
    ecs.on(StopTaskCommand).rejects(awsError("AccessDeniedException"));
    const out = await cleanupStaleTasks({
      cluster: "c",
      aws: { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } },
    });
    expect(out.failed).toEqual([]);
    expect(out.stopped.map((t) => t.taskArn)).toEqual([arn]);
  });
});
