// Differences from AWS that clients nobody on the project wrote (the AWS CLI, boto3) turned up,
// each checked through the real SDK v3 clients against what the AWS documentation says.
import { FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateTagsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Filter,
} from "@aws-sdk/client-ec2";
import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DescribeClustersCommand,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { DEFAULT_SUBNET } from "../src/testing/index.js";
import {
  describe1,
  fargateTaskDef,
  fileHarness,
  register,
  runOne,
  testHarness,
  waitFor,
  waitForStatus,
} from "./helpers.js";

const DEFAULT_VPC = "vpc-0defa000000000001";
const DEFAULT_GROUP = "sg-0defa000000000001";

describe("RegisterTaskDefinition on Fargate", () => {
  const h = fileHarness();

  it("refuses awslogs without an execution role, with AWS's ClientException", async () => {
    const { executionRoleArn: _none, ...withoutRole } = fargateTaskDef();
    const error = await h.ecs.send(new RegisterTaskDefinitionCommand(withoutRole)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientException);
    expect((error as Error).message).toBe(
      "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
    );
  });

  it("accepts the same definition with an execution role", async () => {
    expect(await register(h, fargateTaskDef())).toMatch(/:task-definition\/worker:\d+$/);
  });
});

describe("EC2 tag filters (tag:<key>, tag-key) on every Describe call", () => {
  const h = fileHarness({ subnets: [] });
  const byTag = (name: string, ...values: string[]): Filter[] => [{ Name: name, Values: values }];

  it("match what CreateTags set on the VPC, a subnet and the security group", async () => {
    await h.ec2.send(
      new CreateTagsCommand({
        Resources: [DEFAULT_VPC, DEFAULT_SUBNET, DEFAULT_GROUP],
        Tags: [{ Key: "team", Value: "video" }],
      }),
    );
    const vpcs = await h.ec2.send(new DescribeVpcsCommand({ Filters: byTag("tag:team", "video") }));
    expect(vpcs.Vpcs?.map((v) => v.VpcId)).toEqual([DEFAULT_VPC]);
    expect(vpcs.Vpcs?.[0]?.Tags).toEqual([{ Key: "team", Value: "video" }]);
    const subnets = await h.ec2.send(new DescribeSubnetsCommand({ Filters: byTag("tag-key", "team") }));
    expect(subnets.Subnets?.map((s) => s.SubnetId)).toEqual([DEFAULT_SUBNET]);
    // Filter values take the `*` wildcard, as for every EC2 filter.
    const groups = await h.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: byTag("tag:team", "vid*") }),
    );
    expect(groups.SecurityGroups?.map((g) => g.GroupId)).toEqual([DEFAULT_GROUP]);
  });

  it("return an empty list, not an error, when nothing matches", async () => {
    const none = byTag("tag:owner", "nobody");
    expect((await h.ec2.send(new DescribeVpcsCommand({ Filters: none }))).Vpcs).toEqual([]);
    expect((await h.ec2.send(new DescribeSubnetsCommand({ Filters: none }))).Subnets).toEqual([]);
    expect((await h.ec2.send(new DescribeSecurityGroupsCommand({ Filters: none }))).SecurityGroups).toEqual(
      [],
    );
    expect(
      (await h.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: byTag("tag-key", "owner") })))
        .NetworkInterfaces,
    ).toEqual([]);
  });

  it("match a task's ENI tagged with CreateTags", async () => {
    const arn = await runOne(h);
    const task = await waitForStatus(h, arn, "RUNNING");
    const eni = task.attachments?.[0]?.details?.find((d) => d.name === "networkInterfaceId")?.value ?? "";
    await h.ec2.send(new CreateTagsCommand({ Resources: [eni], Tags: [{ Key: "run", Value: "r1" }] }));
    const found = await h.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: byTag("tag:run", "r1") }));
    expect(found.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([eni]);
  });
});

describe("a task's ENI and security groups", () => {
  const h = fileHarness();

  it("gets the VPC's default security group when RunTask names none, reported by its name", async () => {
    const arn = await runOne(h, {
      networkConfiguration: { awsvpcConfiguration: { subnets: [DEFAULT_SUBNET] } },
    });
    const task = await waitForStatus(h, arn, "RUNNING");
    const eni = task.attachments?.[0]?.details?.find((d) => d.name === "networkInterfaceId")?.value ?? "";
    const out = await h.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }),
    );
    const found = out.NetworkInterfaces?.find((n) => n.NetworkInterfaceId === eni);
    expect(found?.Groups).toEqual([{ GroupId: DEFAULT_GROUP, GroupName: "default" }]);
    expect(found?.VpcId).toBe(DEFAULT_VPC);
  });

  it("refuses a subnet the account does not have, worded as ECS words EC2's answer", async () => {
    const error = await runOne(h, {
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"] } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe(
      "Error retrieving subnet information for [subnet-0123456789abcdef0]: The subnet ID 'subnet-0123456789abcdef0' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
    );
  });
});

describe("the default cluster", () => {
  it("does not exist until made: RunTask without a cluster is ClusterNotFoundException", async () => {
    const h = await testHarness({ clusters: [] });
    const td = await register(h);
    const run = () =>
      h.ecs.send(
        new RunTaskCommand({
          taskDefinition: td,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: [DEFAULT_SUBNET] } },
        }),
      );
    await expect(run()).rejects.toBeInstanceOf(ClusterNotFoundException);
    const described = await h.ecs.send(new DescribeClustersCommand({}));
    expect(described.clusters).toEqual([]);
    expect(described.failures?.[0]?.reason).toBe("MISSING");
    // CreateCluster without a name makes "default", after which the same call runs.
    await h.ecs.send(new CreateClusterCommand({}));
    expect((await run()).tasks?.[0]?.clusterArn).toMatch(/:cluster\/default$/);
  });
});

describe("FilterLogEvents", () => {
  const events = [
    { event: "worker.started", port: 8080, slots: 2 },
    { event: "job.done", ms: 1500, ok: true },
    { event: "job.done", ms: 90, ok: false },
  ].map((e) => JSON.stringify(e));
  const h = fileHarness();
  let stream = "";

  const filter = async (filterPattern: string, extra: { startTime?: number; endTime?: number } = {}) => {
    const out = await h.logs.send(
      new FilterLogEventsCommand({
        logGroupName: "/ecs/worker",
        logStreamNames: [stream],
        filterPattern,
        ...extra,
      }),
    );
    return (out.events ?? []).map((e) => e.message ?? "");
  };

  it("matches JSON events with { $.field = value }, the way the worker's logs are written", async () => {
    const arn = await runOne(h, { definition: fargateTaskDef({}, { TASK_LOG: events.join("\n") }) });
    stream = `fanout/worker/${arn.split("/").at(-1)}`;
    await waitForStatus(h, arn, "RUNNING");
    await waitFor("the JSON lines", async () => ((await filter("")).length >= 5 ? true : undefined));
    expect(await filter('{ $.event = "worker.started" }')).toEqual([events[0]]);
    expect(await filter("{ $.event = worker.* }")).toEqual([events[0]]);
    expect(await filter('{ $.event != "worker.started" }')).toEqual([events[1], events[2]]);
  });

  it("compares numbers, combines with && and ||, and reads IS TRUE, NOT EXISTS and = * (exists)", async () => {
    expect(await filter("{ $.ms > 1000 }")).toEqual([events[1]]);
    expect(await filter("{ $.ms <= 90 }")).toEqual([events[2]]);
    expect(await filter("{ $.port = 8080 }")).toEqual([events[0]]);
    expect(await filter('{ $.event = "job.done" && $.ok IS TRUE }')).toEqual([events[1]]);
    expect(await filter('{ ($.ms < 100) || $.event = "worker.started" }')).toEqual([events[0], events[2]]);
    expect(await filter("{ $.slots = * }")).toEqual([events[0]]);
    expect(await filter("{ $.slots NOT EXISTS && $.ok IS FALSE }")).toEqual([events[2]]);
  });

  it("keeps plain term patterns working, and never matches a plain line with a JSON pattern", async () => {
    expect(await filter('"task starting"')).toHaveLength(1);
    expect(await filter("job.done")).toEqual([events[1], events[2]]);
    expect(await filter('{ $.event = "task starting" }')).toEqual([]);
  });

  it("refuses a malformed JSON pattern with InvalidParameterException", async () => {
    await expect(filter("{ $.event = ")).rejects.toThrow("Invalid filter pattern");
  });

  it("includes an event at exactly endTime (GetLogEvents, as documented, does not)", async () => {
    const all = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: "/ecs/worker", logStreamName: stream, startFromHead: true }),
    );
    const first = all.events?.[0];
    const at = first?.timestamp ?? 0;
    expect(await filter("", { startTime: at, endTime: at })).toContain(first?.message);
    const get = await h.logs.send(
      new GetLogEventsCommand({
        logGroupName: "/ecs/worker",
        logStreamName: stream,
        startFromHead: true,
        startTime: at,
        endTime: at,
      }),
    );
    expect(get.events).toEqual([]);
  });
});

describe("container health checks", () => {
  // Seconds become 50 ms: interval 5 s → 250 ms, timeout 10 s → 500 ms.
  const h = fileHarness({ timings: { healthCheckMsScale: 0.05 } });
  const withCheck = (command: string[], extra: Record<string, number> = {}) => {
    const def = fargateTaskDef({ family: `health-${Math.random().toString(36).slice(2, 8)}` });
    const container = def.containerDefinitions?.[0];
    if (container) container.healthCheck = { command, interval: 5, timeout: 10, retries: 2, ...extra };
    return def;
  };
  const health = async (arn: string, status: string) =>
    waitFor(`${arn} to be ${status}`, async () => {
      const t = await describe1(h, arn);
      return t.healthStatus === status ? t : undefined;
    });

  it("runs the command: a check that exits 0 makes the container and the task HEALTHY", async () => {
    const arn = await runOne(h, { definition: withCheck(["CMD-SHELL", 'test -n "$HOST" && exit 0']) });
    const task = await health(arn, "HEALTHY");
    expect(task.containers?.[0]?.healthStatus).toBe("HEALTHY");
  });

  it("counts failures: UNHEALTHY after `retries` failed checks, for the container and the task", async () => {
    const arn = await runOne(h, { definition: withCheck(["CMD", "/bin/sh", "-c", "exit 1"]) });
    const running = await waitForStatus(h, arn, "RUNNING");
    expect(running.healthStatus).toBe("UNKNOWN");
    const task = await health(arn, "UNHEALTHY");
    expect(task.containers?.[0]?.healthStatus).toBe("UNHEALTHY");
  });

  it("ignores failures inside startPeriod", async () => {
    // startPeriod 60 s → 3 s: failures every 250 ms do not count until then.
    const arn = await runOne(h, { definition: withCheck(["CMD-SHELL", "exit 1"], { startPeriod: 60 }) });
    await waitForStatus(h, arn, "RUNNING");
    await new Promise((r) => setTimeout(r, 1500));
    expect((await describe1(h, arn)).healthStatus).toBe("UNKNOWN");
    await health(arn, "UNHEALTHY");
  });

  it("fails a check that outlives its timeout", async () => {
    const arn = await runOne(h, { definition: withCheck(["CMD-SHELL", "sleep 30"], { timeout: 2 }) });
    await health(arn, "UNHEALTHY");
  });

  it("refuses a health check outside ECS's limits at registration", async () => {
    await expect(register(h, withCheck(["CMD-SHELL", "true"], { interval: 4 }))).rejects.toBeInstanceOf(
      ClientException,
    );
    await expect(register(h, withCheck(["curl", "localhost"]))).rejects.toThrow(/CMD or CMD-SHELL/);
  });
});
