import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandInput,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  ECSClient,
  ListTasksCommand,
  type ListTasksCommandInput,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { resolveAddresses } from "../../src/ecs/address.js";
import { describeTasks } from "../../src/ecs/describe.js";
import { snapshotOf } from "../../src/ecs/snapshot.js";
import { ValidationError } from "../../src/errors.js";
import { cleanupStaleTasks, cleanupVerdict } from "../../src/manage/cleanup.js";
import { listTasks } from "../../src/manage/list-tasks.js";
import { testContext } from "./aws-context.js";

const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);
afterEach(() => {
  ecs.reset();
  ec2.reset();
});

const arn = (i: number) => `arn:aws:ecs:us-east-1:1:task/c/t${i}`;
const aws = { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } };

describe("describeTasks", () => {
  it("asks for at most 100 tasks per call and separates MISSING ones", async () => {
    ecs.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput) => ({
      tasks: (input.tasks ?? [])
        .filter((a) => a !== arn(7))
        .map((taskArn) => ({ taskArn, lastStatus: "RUNNING" })),
      failures: (input.tasks ?? []).includes(arn(7)) ? [{ arn: arn(7), reason: "MISSING" }] : [],
    }));
    const out = await describeTasks(
      testContext(),
      Array.from({ length: 250 }, (_, i) => arn(i)),
    );
    const sizes = ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(out.tasks).toHaveLength(249);
    expect(out.missing).toEqual([arn(7)]);
  });
});

describe("resolveAddresses", () => {
  const eniTask: Task = {
    taskArn: arn(1),
    attachments: [
      { type: "ElasticNetworkInterface", details: [{ name: "networkInterfaceId", value: "eni-1" }] },
    ],
  };
  const bridgeTask: Task = {
    taskArn: arn(2),
    containerInstanceArn: "ci-1",
    containers: [{ name: "worker", networkBindings: [{ containerPort: 8080, hostPort: 32768 }] }],
  };

  it("resolves awsvpc tasks through one DescribeNetworkInterfaces, public or private", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { NetworkInterfaceId: "eni-1", PrivateIpAddress: "10.0.0.5", Association: { PublicIp: "3.3.3.3" } },
      ],
    });
    const snap = snapshotOf(eniTask);
    const pub = await resolveAddresses(testContext(), [snap], { endpoint: "public", containerPort: 8080 });
    const priv = await resolveAddresses(testContext(), [snap], { endpoint: "private", containerPort: 8080 });
    expect(pub.get(arn(1))).toEqual({ address: { host: "3.3.3.3", port: 8080, instanceType: undefined } });
    expect(priv.get(arn(1))).toEqual({ address: { host: "10.0.0.5", port: 8080, instanceType: undefined } });
  });

  it("asks for ENIs by filter, so one ENI gone (its task stopped) does not fail the batch with NotFound", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: DescribeNetworkInterfacesCommandInput) => {
      if (input.NetworkInterfaceIds !== undefined)
        throw new Error("NetworkInterfaceIds fails on a missing ENI");
      const ids = input.Filters?.find((f) => f.Name === "network-interface-id")?.Values ?? [];
      return {
        NetworkInterfaces: ids
          .filter((id) => id === "eni-1")
          .map((id) => ({ NetworkInterfaceId: id, PrivateIpAddress: "10.0.0.5" })),
      };
    });
    const gone = snapshotOf({
      ...eniTask,
      taskArn: arn(2),
      attachments: [
        { type: "ElasticNetworkInterface", details: [{ name: "networkInterfaceId", value: "eni-gone" }] },
      ],
    });
    const out = await resolveAddresses(testContext(), [snapshotOf(eniTask), gone], {
      endpoint: "private",
      containerPort: 8080,
    });
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
    expect(out.get(arn(1))).toEqual({ address: { host: "10.0.0.5", port: 8080, instanceType: undefined } });
    expect(out.get(arn(2))).toEqual({ problem: "no private IP on network interface eni-gone" });
  });

  it("resolves bridge tasks through the container instance, the EC2 instance and the host port", async () => {
    ecs
      .on(DescribeContainerInstancesCommand)
      .resolves({ containerInstances: [{ containerInstanceArn: "ci-1", ec2InstanceId: "i-1" }] });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [{ InstanceId: "i-1", PrivateIpAddress: "10.0.1.9", InstanceType: "g5.xlarge" }] },
      ],
    });
    const out = await resolveAddresses(testContext(), [snapshotOf(bridgeTask, "worker")], {
      endpoint: "private",
      containerPort: 8080,
    });
    expect(out.get(arn(2))).toEqual({
      address: { host: "10.0.1.9", port: 32768, instanceType: "g5.xlarge" },
    });
  });

  it("says why when a task has no public IP", async () => {
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [{ NetworkInterfaceId: "eni-1", PrivateIpAddress: "10.0.0.5" }] });
    const out = await resolveAddresses(testContext(), [snapshotOf(eniTask)], {
      endpoint: "public",
      containerPort: 8080,
    });
    expect(out.get(arn(1))).toEqual({ problem: "no public IP on network interface eni-1" });
  });
});

const tagged = (i: number, tags: Record<string, string>, extra: Partial<Task> = {}): Task => ({
  taskArn: arn(i),
  startedBy: "ecs-fanout",
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  createdAt: new Date(Date.now() - 3600_000),
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  ...extra,
});
const ours = (i: number, runId: string, extra: Partial<Task> = {}) =>
  tagged(i, { "ecs-fanout:managed-by": "ecs-fanout", "ecs-fanout:run-id": runId }, extra);

describe("listTasks", () => {
  it("lists by startedBy alone, follows nextToken, and describes with tags", async () => {
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: [arn(1), arn(2)], nextToken: "p2" })
      .resolvesOnce({ taskArns: [arn(3)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [ours(1, "r1"), ours(2, "r2"), tagged(3, {})] });
    const listed = await listTasks({ cluster: "c", aws, resolveAddresses: false });
    const inputs = ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input as ListTasksCommandInput);
    expect(inputs[0]).toEqual({
      cluster: "c",
      startedBy: "ecs-fanout",
      maxResults: 100,
      nextToken: undefined,
    });
    expect(inputs[1]?.nextToken).toBe("p2");
    for (const i of inputs)
      expect(
        Object.keys(i).filter((k) => !["cluster", "startedBy", "maxResults", "nextToken"].includes(k)),
      ).toEqual([]);
    expect(ecs.commandCalls(DescribeTasksCommand)[0]?.args[0].input.include).toEqual(["TAGS"]);
    expect(listed.map((t) => t.taskArn)).toEqual([arn(1), arn(2)]);
    expect(listed[0]).toMatchObject({ runId: "r1", managed: true, lastStatus: "RUNNING" });
    expect(listed[0]?.ageSeconds).toBeGreaterThan(3500);
  });

  it("narrows to one run after describing", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn(1), arn(2)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [ours(1, "r1"), ours(2, "r2")] });
    const listed = await listTasks({ cluster: "c", aws, runId: "r2", resolveAddresses: false });
    expect(listed.map((t) => t.runId)).toEqual(["r2"]);
  });

  it("validates its options before calling AWS", async () => {
    await expect(listTasks({ cluster: "", aws })).rejects.toBeInstanceOf(ValidationError);
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe("cleanupStaleTasks", () => {
  it("stops only tasks that carry our startedBy and our managed-by tag", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn(1), arn(2), arn(3)] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        ours(1, "r1"),
        tagged(2, { owner: "someone-else" }),
        tagged(3, {}, { startedBy: "other-tool" }),
      ],
    });
    ecs.on(StopTaskCommand).resolves({});
    const out = await cleanupStaleTasks({ cluster: "c", aws });
    expect(out.stopped.map((t) => t.taskArn)).toEqual([arn(1)]);
    expect(out.skipped.map((s) => [s.task.taskArn, s.reason])).toEqual([[arn(2), "not-managed"]]);
    expect(ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([arn(1)]);
  });

  it("stops nothing on a dry run but reports what it would stop", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn(1)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [ours(1, "r1")] });
    const out = await cleanupStaleTasks({ cluster: "c", aws, dryRun: true });
    expect(out.dryRun).toBe(true);
    expect(out.matched.map((t) => t.taskArn)).toEqual([arn(1)]);
    expect(out.stopped).toEqual([]);
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it("reports tasks StopTask refused as failed, with the error code", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [arn(1)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [ours(1, "r1")] });
    ecs.on(StopTaskCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const out = await cleanupStaleTasks({ cluster: "c", aws });
    expect(out.failed.map((f) => [f.task.taskArn, f.error.code])).toEqual([[arn(1), "AWS_CALL_FAILED"]]);
  });
});

describe("cleanupVerdict", () => {
  const listed = (over: Record<string, unknown>) =>
    ({
      managed: true,
      runId: "r1",
      ageSeconds: 600,
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
      ...over,
    }) as never;
  it.each([
    [{}, {}, "stop"],
    [{ managed: false }, {}, "not-managed"],
    [{}, { runId: "r2" }, "other-run"],
    [{ ageSeconds: 30 }, { olderThanSeconds: 60 }, "too-young"],
    [{ desiredStatus: "STOPPED" }, {}, "already-stopping"],
  ])("decides %j with filter %j → %s", (task, filter, verdict) => {
    expect(cleanupVerdict(listed(task), { olderThanSeconds: 0, ...filter })).toBe(verdict);
  });
});
