import { ECSClient, RunTaskCommand, type RunTaskCommandInput, type Task } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { type LaunchBase, launchTasks, primaryCapacity } from "../../src/ecs/launch.js";
import { buildRunTaskInput } from "../../src/ecs/requests.js";
import { AwsCallError, LaunchError } from "../../src/errors.js";
import { awsError, testContext } from "./aws-context.js";

const base: LaunchBase = {
  cluster: "c",
  taskDefinition: "td:3",
  network: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: true },
  containerName: "worker",
  overrides: { cpu: "2048", memory: "4096", environment: { MY: "1" } },
  transportEnvironment: [{ name: "FANOUT_TOKEN_SHA256", value: "ab12" }],
  runId: "run-1",
  tags: { team: "video" },
  startedBy: "ecs-fanout",
  platformVersion: undefined,
};
const retry = { launchRetries: 3, minBackoffMs: 1, maxBackoffMs: 2 };
let n = 0;
const task = (): Task => ({ taskArn: `arn:aws:ecs:us-east-1:1:task/c/t${++n}`, lastStatus: "PROVISIONING" });
const capacityFailure = {
  reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone",
};

function hooks() {
  const log: string[] = [];
  return {
    log,
    onLaunched: (t: { taskArn: string }) => log.push(`launched ${t.taskArn.split("/").pop()}`),
    onLaunchFailed: (i: { kind: string; willRetry: boolean; count: number }) =>
      log.push(`failed ${i.kind} ${i.count} retry=${i.willRetry}`),
    onFallback: (i: { from: string; to: string; count: number }) =>
      log.push(`fallback ${i.from}->${i.to} ${i.count}`),
  };
}

describe("buildRunTaskInput", () => {
  it("tags, names and overrides every task, and never passes AWS credentials", () => {
    const input = buildRunTaskInput({
      ...base,
      count: 3,
      capacity: { launchType: "FARGATE" },
      clientToken: "ct-1",
    });
    expect(input).toMatchObject({
      cluster: "c",
      taskDefinition: "td:3",
      count: 3,
      launchType: "FARGATE",
      startedBy: "ecs-fanout",
      clientToken: "ct-1",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "ENABLED" },
      },
      overrides: { cpu: "2048", memory: "4096" },
    });
    expect(input.tags).toEqual([
      { key: "ecs-fanout:managed-by", value: "ecs-fanout" },
      { key: "ecs-fanout:run-id", value: "run-1" },
      { key: "team", value: "video" },
    ]);
    const env = input.overrides?.containerOverrides?.[0]?.environment ?? [];
    expect(env).toEqual([
      { name: "MY", value: "1" },
      { name: "FANOUT_TOKEN_SHA256", value: "ab12" },
      { name: "FANOUT_RUN_ID", value: "run-1" },
    ]);
    expect(JSON.stringify(input)).not.toMatch(/AWS_(ACCESS|SECRET)/);
    expect(input.capacityProviderStrategy).toBeUndefined();
  });

  it("uses a capacity provider strategy for Fargate Spot, never with a launch type", () => {
    const input = buildRunTaskInput({
      ...base,
      count: 1,
      capacity: primaryCapacity({ type: "FARGATE_SPOT" }),
      clientToken: "ct",
    });
    expect(input.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
    expect(input.launchType).toBeUndefined();
  });

  it("asks for GPUs on the worker container", () => {
    const input = buildRunTaskInput({
      ...base,
      overrides: { gpu: 2 },
      count: 1,
      capacity: { launchType: "EC2" },
      clientToken: "ct",
    });
    expect(input.overrides?.containerOverrides?.[0]?.resourceRequirements).toEqual([
      { type: "GPU", value: "2" },
    ]);
  });

  it("refuses a count above ten", () => {
    expect(() =>
      buildRunTaskInput({ ...base, count: 11, capacity: { launchType: "FARGATE" }, clientToken: "ct" }),
    ).toThrow(RangeError);
  });
});

describe("launchTasks", () => {
  const ecs = mockClient(ECSClient);
  afterEach(() => ecs.reset());

  const calls = () => ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input as RunTaskCommandInput);

  it("launches 23 tasks in calls of 10, 10 and 3, each with its own clientToken", async () => {
    ecs
      .on(RunTaskCommand)
      .callsFake((input: RunTaskCommandInput) => ({ tasks: Array.from({ length: input.count ?? 0 }, task) }));
    const h = hooks();
    const out = await launchTasks(testContext(), base, 23, { type: "FARGATE" }, retry, h);
    expect(out.launched).toHaveLength(23);
    expect(out.shortfall).toBeUndefined();
    expect(calls().map((c) => c.count)).toEqual([10, 10, 3]);
    expect(new Set(calls().map((c) => c.clientToken)).size).toBe(3);
  });

  it("retries a throttled RunTask with the same clientToken, so it can never launch twice", async () => {
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(awsError("ThrottlingException", "Rate exceeded"))
      .resolves({ tasks: [task()] });
    const out = await launchTasks(testContext(), base, 1, { type: "FARGATE" }, retry, hooks());
    expect(out.launched).toHaveLength(1);
    const [first, second] = calls();
    expect(first?.clientToken).toBe(second?.clientToken);
  });

  it("retries capacity failures with backoff and asks only for the tasks still missing", async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ tasks: [task()], failures: [capacityFailure, capacityFailure] })
      .resolvesOnce({ tasks: [task(), task()] });
    const h = hooks();
    const out = await launchTasks(testContext(), base, 3, { type: "FARGATE" }, retry, h);
    expect(out.launched).toHaveLength(3);
    expect(calls().map((c) => c.count)).toEqual([3, 2]);
    expect(h.log.filter((l) => l.startsWith("failed"))).toEqual(["failed capacity 2 retry=true"]);
    expect(calls()[0]?.clientToken).not.toBe(calls()[1]?.clientToken);
  });

  it("falls back from Fargate Spot to on-demand when Spot capacity is unavailable", async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ failures: [capacityFailure, capacityFailure] })
      .resolvesOnce({ tasks: [task(), task()] });
    const h = hooks();
    const out = await launchTasks(testContext(), base, 2, { type: "FARGATE_SPOT" }, retry, h);
    expect(out.launched).toHaveLength(2);
    expect(calls()[1]?.launchType).toBe("FARGATE");
    expect(calls()[1]?.capacityProviderStrategy).toBeUndefined();
    expect(h.log).toContain("fallback FARGATE_SPOT->FARGATE 2");
  });

  it("keeps trying Spot when fallback is off", async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ failures: [capacityFailure] })
      .resolvesOnce({ tasks: [task()] });
    await launchTasks(
      testContext(),
      base,
      1,
      { type: "FARGATE_SPOT", fallbackToOnDemand: false },
      retry,
      hooks(),
    );
    expect(calls()[1]?.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
  });

  it("fails fast with AWS's reason on a configuration failure, after reporting the tasks it did launch", async () => {
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [task()], failures: [{ reason: "ATTRIBUTE", detail: "requires attribute gpu" }] });
    const h = hooks();
    const error = await launchTasks(testContext(), base, 2, { type: "FARGATE" }, retry, h).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LaunchError);
    expect((error as LaunchError).failures[0]?.reason).toBe("ATTRIBUTE");
    expect(calls()).toHaveLength(1);
    expect(h.log[0]).toMatch(/^launched /);
  });

  it("fails fast on an AWS permission error, without retrying", async () => {
    ecs
      .on(RunTaskCommand)
      .rejects(awsError("AccessDeniedException", "not authorized to perform ecs:RunTask"));
    const error = await launchTasks(testContext(), base, 1, { type: "FARGATE" }, retry, hooks()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).kind).toBe("permission");
    expect((error as AwsCallError).awsErrorName).toBe("AccessDeniedException");
    expect((error as AwsCallError).requestId).toBe("req-1");
    expect(calls()).toHaveLength(1);
  });

  it("reports the shortfall when capacity never comes", async () => {
    ecs.on(RunTaskCommand).resolves({ failures: [{ reason: "RESOURCE:GPU" }] });
    const out = await launchTasks(testContext(), base, 1, { type: "EC2" }, retry, hooks());
    expect(out.launched).toEqual([]);
    expect(out.shortfall).toEqual({
      count: 1,
      failures: [{ reason: "RESOURCE:GPU", detail: undefined, arn: undefined }],
    });
    expect(calls()).toHaveLength(retry.launchRetries + 1);
  });
});
