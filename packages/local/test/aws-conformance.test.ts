// Black-box conformance with the AWS API reference (ECS, EC2, CloudWatch Logs): every
// expectation here is a documented statement, checked through the real SDK clients only.
import {
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  ConflictException,
  DeregisterTaskDefinitionCommand,
  DescribeCapacityProvidersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  describe1,
  fargateTaskDef,
  fetchJson,
  fileHarness,
  network,
  register,
  waitForStatus,
} from "./helpers.js";

const h = fileHarness({
  capacityProviders: [{ name: "gpu", gpusPerInstance: 1, instances: 1, provisioningDelayMs: 20 }],
});
let fargate: string;
let gpuDef: string;
let bridge: string;
const ARN_PREFIX = "arn:aws:ecs:us-east-1:000000000000";

beforeAll(async () => {
  fargate = await register(h, fargateTaskDef({}, { GREETING: "from-definition" }));
  gpuDef = await register(h, {
    family: "gpu",
    networkMode: "awsvpc",
    cpu: "1024",
    memory: "2048",
    containerDefinitions: [{ name: "w", image: "img", resourceRequirements: [{ type: "GPU", value: "1" }] }],
  });
  bridge = await register(h, {
    family: "bridge",
    containerDefinitions: [{ name: "w", image: "img", memory: 256, portMappings: [{ containerPort: 8080 }] }],
  });
});

const fargateRun = (extra: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput => ({
  taskDefinition: fargate,
  launchType: "FARGATE",
  networkConfiguration: network(),
  ...extra,
});
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { name?: string; message?: string },
  );

describe("documented error types", () => {
  const unknownTask = `${ARN_PREFIX}:task/default/0123456789abcdef0123456789abcdef`;
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    [
      "RunTask on an unknown cluster",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ cluster: "nope" }))),
      "ClusterNotFoundException",
    ],
    [
      "DescribeTasks on an unknown cluster",
      () => h.ecs.send(new DescribeTasksCommand({ cluster: "nope", tasks: [unknownTask] })),
      "ClusterNotFoundException",
    ],
    [
      "ListTasks on an unknown cluster",
      () => h.ecs.send(new ListTasksCommand({ cluster: "nope" })),
      "ClusterNotFoundException",
    ],
    [
      "StopTask on an unknown cluster",
      () => h.ecs.send(new StopTaskCommand({ cluster: "nope", task: unknownTask })),
      "ClusterNotFoundException",
    ],
    [
      "RunTask with an unknown task definition",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ taskDefinition: "nope:1" }))),
      "ClientException",
    ],
    [
      "RunTask with count 0",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ count: 0 }))),
      "InvalidParameterException",
    ],
    [
      "RunTask with count 11",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ count: 11 }))),
      "InvalidParameterException",
    ],
    [
      "startedBy of 129 characters",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ startedBy: "a".repeat(129) }))),
      "InvalidParameterException",
    ],
    [
      "startedBy with a space",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ startedBy: "my job" }))),
      "InvalidParameterException",
    ],
    [
      "51 tags",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ tags: tags(51) }))),
      "InvalidParameterException",
    ],
    [
      "a tag key of 129 characters",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ tags: [{ key: "k".repeat(129), value: "v" }] }))),
      "InvalidParameterException",
    ],
    [
      "a tag value of 257 characters",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ tags: [{ key: "k", value: "v".repeat(257) }] }))),
      "InvalidParameterException",
    ],
    [
      "a tag key starting with AWS:",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ tags: [{ key: "AWS:x", value: "v" }] }))),
      "InvalidParameterException",
    ],
    [
      "a tag value starting with aws:",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ tags: [{ key: "k", value: "aws:x" }] }))),
      "InvalidParameterException",
    ],
    [
      "launchType with a capacityProviderStrategy",
      () =>
        h.ecs.send(
          new RunTaskCommand(
            fargateRun({ capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] }),
          ),
        ),
      "InvalidParameterException",
    ],
    [
      "a strategy of 21 providers",
      () =>
        h.ecs.send(
          new RunTaskCommand(
            fargateRun({
              launchType: undefined,
              capacityProviderStrategy: Array.from({ length: 21 }, (_, i) => ({
                capacityProvider: `p${i}`,
                weight: 1,
              })),
            }),
          ),
        ),
      "InvalidParameterException",
    ],
    [
      "FARGATE_SPOT as a launch type",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ launchType: "FARGATE_SPOT" as "FARGATE" }))),
      "InvalidParameterException",
    ],
    [
      "a clientToken of 65 characters",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ clientToken: "t".repeat(65) }))),
      "InvalidParameterException",
    ],
    [
      "an awsvpc task without subnets",
      () =>
        h.ecs.send(
          new RunTaskCommand(fargateRun({ networkConfiguration: { awsvpcConfiguration: { subnets: [] } } })),
        ),
      "InvalidParameterException",
    ],
    [
      "an awsvpc task without networkConfiguration",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ networkConfiguration: undefined }))),
      "InvalidParameterException",
    ],
    [
      "a GPU requirement on Fargate",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ taskDefinition: gpuDef }))),
      "InvalidParameterException",
    ],
    [
      "a Fargate size that does not exist (0.25 vCPU, 4 GB)",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ overrides: { cpu: "256", memory: "4096" } }))),
      "InvalidParameterException",
    ],
    [
      "propagateTags SERVICE",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ propagateTags: "SERVICE" }))),
      "InvalidParameterException",
    ],
    [
      "6 placement strategy rules",
      () =>
        h.ecs.send(
          new RunTaskCommand(
            fargateRun({ placementStrategy: Array.from({ length: 6 }, () => ({ type: "random" as const })) }),
          ),
        ),
      "InvalidParameterException",
    ],
    [
      "a platformVersion on the EC2 launch type",
      () =>
        h.ecs.send(
          new RunTaskCommand({ taskDefinition: bridge, launchType: "EC2", platformVersion: "1.4.0" }),
        ),
      "InvalidParameterException",
    ],
    [
      "an unknown platformVersion",
      () => h.ecs.send(new RunTaskCommand(fargateRun({ platformVersion: "9.9.9" }))),
      "PlatformUnknownException",
    ],
    [
      "DescribeTasks with no tasks",
      () => h.ecs.send(new DescribeTasksCommand({ tasks: [] })),
      "InvalidParameterException",
    ],
    [
      "DescribeTasks with 101 tasks",
      () => h.ecs.send(new DescribeTasksCommand({ tasks: Array.from({ length: 101 }, () => unknownTask) })),
      "InvalidParameterException",
    ],
    [
      "ListTasks with startedBy and family",
      () => h.ecs.send(new ListTasksCommand({ startedBy: "x", family: "worker" })),
      "InvalidParameterException",
    ],
    [
      "ListTasks with maxResults 0",
      () => h.ecs.send(new ListTasksCommand({ maxResults: 0 })),
      "InvalidParameterException",
    ],
    [
      "ListTasks with maxResults 101",
      () => h.ecs.send(new ListTasksCommand({ maxResults: 101 })),
      "InvalidParameterException",
    ],
    [
      "ListTasks with an invalid nextToken",
      () => h.ecs.send(new ListTasksCommand({ nextToken: "garbage" })),
      "InvalidParameterException",
    ],
    [
      "StopTask on an unknown task",
      () => h.ecs.send(new StopTaskCommand({ task: unknownTask })),
      "InvalidParameterException",
    ],
    [
      "a StopTask reason over 255 characters",
      () => h.ecs.send(new StopTaskCommand({ task: unknownTask, reason: "r".repeat(256) })),
      "InvalidParameterException",
    ],
    [
      "RegisterTaskDefinition of an impossible Fargate size",
      () =>
        h.ecs.send(
          new RegisterTaskDefinitionCommand(fargateTaskDef({ family: "bad", cpu: "256", memory: "4096" })),
        ),
      "ClientException",
    ],
    [
      "RegisterTaskDefinition without containers",
      () => h.ecs.send(new RegisterTaskDefinitionCommand({ family: "empty", containerDefinitions: [] })),
      "ClientException",
    ],
    [
      "DescribeTaskDefinition of an unknown family",
      () => h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "nope" })),
      "ClientException",
    ],
    [
      "DeregisterTaskDefinition of an unknown revision",
      () => h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "nope:1" })),
      "ClientException",
    ],
    [
      "TagResource on an unknown cluster",
      () =>
        h.ecs.send(
          new TagResourceCommand({
            resourceArn: `${ARN_PREFIX}:cluster/nope`,
            tags: [{ key: "k", value: "v" }],
          }),
        ),
      "ClusterNotFoundException",
    ],
    [
      "UntagResource of an aws: key",
      () =>
        h.ecs.send(
          new UntagResourceCommand({
            resourceArn: `${ARN_PREFIX}:cluster/default`,
            tagKeys: ["aws:ecs:clusterName"],
          }),
        ),
      "InvalidParameterException",
    ],
    [
      "DescribeCapacityProviders with maxResults 11",
      () => h.ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 11 })),
      "InvalidParameterException",
    ],
    [
      "DescribeNetworkInterfaces of an unknown id",
      () =>
        h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0123456789abcdef0"] })),
      "InvalidNetworkInterfaceID.NotFound",
    ],
    [
      "DescribeNetworkInterfaces of a malformed id",
      () => h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["nic-1"] })),
      "InvalidNetworkInterfaceID.Malformed",
    ],
    [
      "DescribeInstances of an unknown id",
      () => h.ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })),
      "InvalidInstanceID.NotFound",
    ],
    [
      "GetLogEvents of an unknown group",
      () => h.logs.send(new GetLogEventsCommand({ logGroupName: "/nope", logStreamName: "s" })),
      "ResourceNotFoundException",
    ],
  ];
  it.each(cases)("answers %s with the documented error", async (_name, call, expected) => {
    expect((await errorOf(call()))?.name).toBe(expected);
  });
});

describe("a Fargate task, from RunTask to STOPPED", () => {
  let arn = "";
  const input = () =>
    fargateRun({
      startedBy: "conformance",
      clientToken: "conformance-token-1",
      tags: [{ key: "team", value: "video" }],
      networkConfiguration: network("ENABLED"),
      overrides: {
        cpu: "2048",
        memory: "4096",
        containerOverrides: [{ name: "worker", environment: [{ name: "GREETING", value: "from-override" }] }],
      },
    });

  it("answers RunTask with the task as AWS documents its fields", async () => {
    const out = await h.ecs.send(new RunTaskCommand(input()));
    expect(out.failures).toEqual([]);
    const task = out.tasks?.[0];
    arn = task?.taskArn ?? "";
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/default\/[0-9a-f]{32}$/);
    expect(task).toMatchObject({
      clusterArn: `${ARN_PREFIX}:cluster/default`,
      taskDefinitionArn: `${ARN_PREFIX}:task-definition/worker:1`,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      startedBy: "conformance",
      group: "family:worker",
      launchType: "FARGATE",
      platformVersion: "1.4.0",
      cpu: "2048",
      memory: "4096",
    });
    expect(task?.overrides?.containerOverrides?.[0]?.environment).toEqual([
      { name: "GREETING", value: "from-override" },
    ]);
  });

  it("returns the same task for the same clientToken, ConflictException with resourceIds for changed parameters", async () => {
    const again = await h.ecs.send(new RunTaskCommand(input()));
    expect(again.tasks?.map((t) => t.taskArn)).toEqual([arn]);
    const error = await errorOf(h.ecs.send(new RunTaskCommand({ ...input(), startedBy: "other" })));
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).resourceIds).toEqual([arn]);
  });

  it("runs with the ENI, the overridden environment and the metadata endpoint v4", async () => {
    const task = await waitForStatus(h, arn, "RUNNING");
    const details = Object.fromEntries(
      (task.attachments?.[0]?.details ?? []).map((d) => [d.name ?? "", d.value ?? ""]),
    );
    expect(task.attachments?.[0]?.type).toBe("ElasticNetworkInterface");
    expect(details.subnetId).toBe("subnet-0defa00000000001a");
    expect(details.networkInterfaceId).toMatch(/^eni-/);
    expect(task.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address).toBe(details.privateIPv4Address);
    // RUNNING says the process started, not that it listens yet: retry until it answers.
    const served = await fetchJson<{ env: Record<string, string> }>(
      `http://${details.privateIPv4Address}:8080/`,
    );
    expect(served.env.GREETING).toBe("from-override");

    const meta = (await (await fetch(`${served.env.ECS_CONTAINER_METADATA_URI_V4}/task`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({
      Cluster: `${ARN_PREFIX}:cluster/default`,
      TaskARN: arn,
      Family: "worker",
      Revision: "1",
      DesiredStatus: "RUNNING",
      KnownStatus: "RUNNING",
      Limits: { CPU: 2, Memory: 4096 },
      AvailabilityZone: "us-east-1a",
      LaunchType: "FARGATE",
    });
    expect(typeof meta.PullStartedAt).toBe("string");
    const containers = meta.Containers as Array<{ Networks: Array<{ IPv4Addresses: string[] }> }>;
    expect(containers[0]?.Networks[0]?.IPv4Addresses).toEqual([details.privateIPv4Address]);

    const eniId = details.networkInterfaceId ?? "";
    const byId = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    const publicIp = byId.NetworkInterfaces?.[0]?.Association?.PublicIp;
    expect(publicIp).toMatch(/^127\.0\.2\./);
    const byFilter = await h.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: "association.public-ip", Values: [publicIp ?? ""] },
          { Name: "description", Values: ["arn:aws:ecs:*:attachment/*"] },
        ],
      }),
    );
    expect(byFilter.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([eniId]);
  });

  it("describes by bare task ID as well as ARN, and unknown IDs as MISSING with their ARN", async () => {
    const id = arn.split("/").at(-1) ?? "";
    const out = await h.ecs.send(
      new DescribeTasksCommand({ tasks: [id, "0123456789abcdef0123456789abcdef"], include: ["TAGS"] }),
    );
    expect(out.tasks?.[0]?.taskArn).toBe(arn);
    expect(out.tasks?.[0]?.tags).toEqual([{ key: "team", value: "video" }]);
    expect(out.failures).toEqual([
      { arn: `${ARN_PREFIX}:task/default/0123456789abcdef0123456789abcdef`, reason: "MISSING" },
    ]);
  });

  it("lists it by startedBy, family and launchType (desiredStatus RUNNING by default)", async () => {
    for (const filter of [
      { startedBy: "conformance" },
      { family: "worker" },
      { launchType: "FARGATE" as const },
    ]) {
      expect((await h.ecs.send(new ListTasksCommand(filter))).taskArns).toContain(arn);
    }
    expect((await h.ecs.send(new ListTasksCommand({ launchType: "EC2" }))).taskArns).not.toContain(arn);
  });

  it("stops with the reason, UserInitiated, ordered timestamps; a second StopTask is harmless", async () => {
    const stop = await h.ecs.send(new StopTaskCommand({ task: arn, reason: "done here" }));
    expect(stop.task?.desiredStatus).toBe("STOPPED");
    await h.ecs.send(new StopTaskCommand({ task: arn, reason: "again" }));
    const task = await waitForStatus(h, arn, "STOPPED");
    expect(task).toMatchObject({ stopCode: "UserInitiated", stoppedReason: "done here", tags: [] });
    const times = [
      task.createdAt,
      task.pullStartedAt,
      task.pullStoppedAt,
      task.startedAt,
      task.stoppingAt,
      task.stoppedAt,
    ].map((d) => d?.getTime() ?? Number.NaN);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0))).toBe(true);
    expect((await h.ecs.send(new ListTasksCommand({ desiredStatus: "STOPPED" }))).taskArns).toContain(arn);
    expect((await h.ecs.send(new ListTasksCommand({}))).taskArns).not.toContain(arn);
  });

  it("keeps its log events in order, with the documented token semantics", async () => {
    const id = arn.split("/").at(-1) ?? "";
    const stream = `fanout/worker/${id}`;
    const first = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: "/ecs/worker", logStreamName: stream, startFromHead: true }),
    );
    const messages = (first.events ?? []).map((e) => e.message ?? "");
    expect(messages[0]).toMatch(/task starting/);
    expect(messages).toContain("got SIGTERM");
    const stamps = (first.events ?? []).map((e) => e.timestamp ?? 0);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    // "If you have reached the end of the stream, it returns the same token you passed in."
    const end: GetLogEventsCommandOutput = await h.logs.send(
      new GetLogEventsCommand({
        logGroupName: "/ecs/worker",
        logStreamName: stream,
        nextToken: first.nextForwardToken,
      }),
    );
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(first.nextForwardToken);
    const filtered = await h.logs.send(
      new FilterLogEventsCommand({
        logGroupName: "/ecs/worker",
        logStreamNames: [stream],
        filterPattern: "SIGTERM",
      }),
    );
    expect(filtered.events?.map((e) => [e.logStreamName, e.message])).toEqual([[stream, "got SIGTERM"]]);
  });

  it("loses its ENI once stopped", async () => {
    const task = await describe1(h, arn);
    const eniId = task.attachments?.[0]?.details?.find((d) => d.name === "networkInterfaceId")?.value ?? "";
    const error = await errorOf(
      h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })),
    );
    expect(error?.name).toBe("InvalidNetworkInterfaceID.NotFound");
  });
});

describe("ListTasks pagination", () => {
  it("pages with maxResults and nextToken, without repeats, and ends without a token", async () => {
    const run = await h.ecs.send(new RunTaskCommand(fargateRun({ count: 3, startedBy: "pager" })));
    const arns = (run.tasks ?? []).map((t) => t.taskArn);
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await h.ecs.send(new ListTasksCommand({ startedBy: "pager", maxResults: 1, nextToken }));
      seen.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(seen.sort()).toEqual([...arns].sort());
    await Promise.all(arns.map((task) => h.ecs.send(new StopTaskCommand({ task }))));
  });
});

describe("task definitions and tags on every taggable resource", () => {
  it("describes by family (latest ACTIVE), family:revision and ARN; an INACTIVE one cannot run", async () => {
    const def = fargateTaskDef({ family: "revs", tags: [{ key: "kind", value: "def" }] });
    const first = await register(h, def);
    const second = await register(h, def);
    const gone = await h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "revs:2" }));
    expect(gone.taskDefinition?.status).toBe("INACTIVE");
    const latest = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "revs" }));
    expect(latest.taskDefinition?.taskDefinitionArn).toBe(first);
    const byRevision = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "revs:2" }));
    expect(byRevision.taskDefinition?.status).toBe("INACTIVE");
    const byArn = await h.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: first, include: ["TAGS"] }),
    );
    expect(byArn.tags).toEqual([{ key: "kind", value: "def" }]);
    const error = await errorOf(h.ecs.send(new RunTaskCommand(fargateRun({ taskDefinition: second }))));
    expect(error?.name).toBe("ClientException");
  });

  it.each([
    ["cluster", () => `${ARN_PREFIX}:cluster/default`],
    ["task definition", () => fargate],
  ])("tags, lists and untags a %s", async (_kind, arnOf) => {
    const resourceArn = arnOf();
    await h.ecs.send(
      new TagResourceCommand({
        resourceArn,
        tags: [
          { key: "a", value: "1" },
          { key: "b", value: "" },
        ],
      }),
    );
    await h.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["a"] }));
    const listed = await h.ecs.send(new ListTagsForResourceCommand({ resourceArn }));
    expect(listed.tags).toContainEqual({ key: "b", value: "" });
    expect(listed.tags?.some((t) => t.key === "a")).toBe(false);
  });
});

describe("capacity providers and container instances", () => {
  it("pages DescribeCapacityProviders with maxResults 1", async () => {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 1, nextToken }));
      expect(page.capacityProviders?.length).toBeLessThanOrEqual(1);
      names.push(...(page.capacityProviders ?? []).map((p) => p.name ?? ""));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual(["FARGATE", "FARGATE_SPOT", "gpu"]);
  });

  it("lists an EC2 task by containerInstance, and its instance resolves through DescribeInstances", async () => {
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: bridge,
        capacityProviderStrategy: [{ capacityProvider: "gpu", weight: 1 }],
      }),
    );
    const arn = run.tasks?.[0]?.taskArn ?? "";
    expect(run.tasks?.[0]?.platformVersion).toBeUndefined();
    const task = await waitForStatus(h, arn, "RUNNING");
    expect(task).toMatchObject({ launchType: "EC2", capacityProviderName: "gpu", group: "family:bridge" });
    const instanceArn = task.containerInstanceArn ?? "";
    const listed = await h.ecs.send(new ListTasksCommand({ containerInstance: instanceArn }));
    expect(listed.taskArns).toEqual([arn]);
    const ci = await h.ecs.send(new DescribeContainerInstancesCommand({ containerInstances: [instanceArn] }));
    const instanceId = ci.containerInstances?.[0]?.ec2InstanceId ?? "";
    const ec2 = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(ec2.Reservations?.[0]?.Instances?.[0]?.PrivateIpAddress).toMatch(/^127\./);
    await h.ecs.send(new StopTaskCommand({ task: arn }));
  });
});
