import { ConflictException, ListTasksCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { runTask, testHarness } from "./helpers.js";

describe("RunTask clientToken idempotency", () => {
  it("returns the same tasks for the same token and parameters, and starts nothing new", async () => {
    const h = await testHarness();
    const input = { count: 2, clientToken: "run-1-batch-0" };
    const first = await runTask(h, input);
    const second = await runTask(h, input);
    expect(second.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect((await h.ecs.send(new ListTasksCommand({}))).taskArns).toHaveLength(2);
  });

  it("throws ConflictException listing the original tasks when the parameters change", async () => {
    const h = await testHarness();
    const first = await runTask(h, { clientToken: "tok" });
    const error = await runTask(h, { clientToken: "tok", count: 2 }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.resourceIds).toEqual(first.tasks?.map((t) => t.taskArn));
  });
});
