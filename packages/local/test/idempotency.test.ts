import {
  ConflictException,
  ListTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { closeHarness, type Harness, network, register, startHarness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await closeHarness(h);
  h = undefined;
});

describe("RunTask clientToken idempotency", () => {
  it("returns the same tasks for the same token and parameters, and starts nothing new", async () => {
    h = await startHarness();
    const input: RunTaskCommandInput = {
      taskDefinition: await register(h),
      launchType: "FARGATE",
      networkConfiguration: network(),
      count: 2,
      clientToken: "run-1-batch-0",
    };
    const first = await h.ecs.send(new RunTaskCommand(input));
    const second = await h.ecs.send(new RunTaskCommand(input));
    expect(second.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect((await h.ecs.send(new ListTasksCommand({}))).taskArns).toHaveLength(2);
  });

  it("throws ConflictException listing the original tasks when the parameters change", async () => {
    h = await startHarness();
    const input: RunTaskCommandInput = {
      taskDefinition: await register(h),
      launchType: "FARGATE",
      networkConfiguration: network(),
      clientToken: "tok",
    };
    const first = await h.ecs.send(new RunTaskCommand(input));
    const error = await h.ecs.send(new RunTaskCommand({ ...input, count: 2 })).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.resourceIds).toEqual(first.tasks?.map((t) => t.taskArn));
  });
});
