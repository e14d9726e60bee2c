import {
  DescribeTasksCommand,
  ListTasksCommand,
  type ListTasksCommandInput,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
} from "@aws-sdk/client-ecs";
import { beforeAll, describe, expect, it } from "vitest";
import { fargateTaskDef, fileHarness, network, register } from "./helpers.js";

const h = fileHarness();
let fargate: string;
let bridge: string;
let gpu: string;
beforeAll(async () => {
  fargate = await register(h);
  bridge = await register(h, {
    family: "bridge",
    containerDefinitions: [{ name: "w", image: "img", memory: 512, portMappings: [{ containerPort: 8080 }] }],
  });
  gpu = await register(h, {
    family: "gpu",
    networkMode: "awsvpc",
    cpu: "1024",
    memory: "2048",
    containerDefinitions: [{ name: "w", image: "img", resourceRequirements: [{ type: "GPU", value: "1" }] }],
  });
});

/** A Fargate RunTask that AWS would accept, but for `extra`. */
const fargateRun = (extra: Partial<RunTaskCommandInput>): RunTaskCommandInput => ({
  taskDefinition: fargate,
  launchType: "FARGATE",
  networkConfiguration: network(),
  ...extra,
});
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));

const runCases: Array<[string, () => RunTaskCommandInput, string, RegExp?]> = [
  ["count 0", () => fargateRun({ count: 0 }), "InvalidParameterException", /count/],
  ["count 11", () => fargateRun({ count: 11 }), "InvalidParameterException", /count/],
  [
    "launchType and capacityProviderStrategy together",
    () => fargateRun({ capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] }),
    "InvalidParameterException",
    /launch type and capacity provider/,
  ],
  [
    "a strategy of 21 providers",
    () => ({
      taskDefinition: fargate,
      capacityProviderStrategy: Array.from({ length: 21 }, () => ({
        capacityProvider: "FARGATE",
        weight: 1,
      })),
      networkConfiguration: network(),
    }),
    "InvalidParameterException",
    /at most 20/,
  ],
  [
    "an unknown capacity provider",
    () => ({
      taskDefinition: fargate,
      capacityProviderStrategy: [{ capacityProvider: "nope", weight: 1 }],
      networkConfiguration: network(),
    }),
    "InvalidParameterException",
    /nope/,
  ],
  [
    "FARGATE_SPOT as a launch type",
    () => fargateRun({ launchType: "FARGATE_SPOT" as "FARGATE" }),
    "InvalidParameterException",
    /capacityProviderStrategy/,
  ],
  ["51 tags", () => fargateRun({ tags: tags(51) }), "InvalidParameterException", /50/],
  [
    "a tag key of 129 characters",
    () => fargateRun({ tags: [{ key: "k".repeat(129), value: "v" }] }),
    "InvalidParameterException",
    /128/,
  ],
  [
    "an empty tag key",
    () => fargateRun({ tags: [{ key: "", value: "v" }] }),
    "InvalidParameterException",
    /128/,
  ],
  [
    "a tag value of 257 characters",
    () => fargateRun({ tags: [{ key: "k", value: "v".repeat(257) }] }),
    "InvalidParameterException",
    /256/,
  ],
  [
    "an aws: tag",
    () => fargateRun({ tags: [{ key: "aws:x", value: "v" }] }),
    "InvalidParameterException",
    /reserved/,
  ],
  [
    "an AWS: tag in upper case",
    () => fargateRun({ tags: [{ key: "AwS:x", value: "v" }] }),
    "InvalidParameterException",
    /reserved/,
  ],
  [
    "startedBy with a space",
    () => fargateRun({ startedBy: "ecs fanout" }),
    "InvalidParameterException",
    /startedBy/,
  ],
  [
    "startedBy of 129 characters",
    () => fargateRun({ startedBy: "a".repeat(129) }),
    "InvalidParameterException",
    /startedBy/,
  ],
  [
    "a clientToken of 65 characters",
    () => fargateRun({ clientToken: "t".repeat(65) }),
    "InvalidParameterException",
    /clientToken/,
  ],
  [
    "a clientToken with a space",
    () => fargateRun({ clientToken: "a b" }),
    "InvalidParameterException",
    /clientToken/,
  ],
  [
    "propagateTags SERVICE",
    () => fargateRun({ propagateTags: "SERVICE" }),
    "InvalidParameterException",
    /SERVICE/,
  ],
  [
    "awsvpc without a network configuration",
    () => ({ taskDefinition: fargate, launchType: "FARGATE" }),
    "InvalidParameterException",
    /Network Configuration must be provided/,
  ],
  [
    "awsvpc with no subnets",
    () => ({
      taskDefinition: fargate,
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: [] } },
    }),
    "InvalidParameterException",
    /subnets/,
  ],
  [
    "a network configuration for a bridge task",
    () => ({ taskDefinition: bridge, launchType: "EC2", networkConfiguration: network() }),
    "InvalidParameterException",
    /not valid for the given networkMode/,
  ],
  [
    "a GPU task on Fargate",
    () => ({ taskDefinition: gpu, launchType: "FARGATE", networkConfiguration: network() }),
    "InvalidParameterException",
    /GPU/,
  ],
  [
    "a bridge task on Fargate",
    () => ({ taskDefinition: bridge, launchType: "FARGATE" }),
    "InvalidParameterException",
    /does not support launch_type FARGATE/,
  ],
  [
    "an unknown task definition",
    () => ({ taskDefinition: "nope:1", launchType: "FARGATE", networkConfiguration: network() }),
    "ClientException",
    /TaskDefinition not found/,
  ],
  ["an unknown cluster", () => fargateRun({ cluster: "nope" }), "ClusterNotFoundException"],
  [
    "a cpu override Fargate cannot run",
    () => fargateRun({ overrides: { cpu: "256", memory: "4096" } }),
    "InvalidParameterException",
    /No Fargate configuration/,
  ],
  [
    "an override of an unknown container",
    () => fargateRun({ overrides: { containerOverrides: [{ name: "ghost" }] } }),
    "InvalidParameterException",
    /ghost/,
  ],
  [
    "overrides over 8192 characters",
    () =>
      fargateRun({
        overrides: {
          containerOverrides: [{ name: "worker", environment: [{ name: "BIG", value: "x".repeat(9000) }] }],
        },
      }),
    "InvalidParameterException",
    /8192/,
  ],
  [
    "EC2 launch type with no container instances",
    () => ({ taskDefinition: bridge, launchType: "EC2" }),
    "InvalidParameterException",
    /No Container Instances/,
  ],
  [
    "a public IP on the EC2 launch type",
    () => ({ taskDefinition: gpu, launchType: "EC2", networkConfiguration: network("ENABLED") }),
    "InvalidParameterException",
    /Assign public IP/,
  ],
];

describe("RunTask validation (as strict as AWS)", () => {
  it.each(runCases)("rejects %s", async (_name, input, errorName, message) => {
    const error = await h.ecs.send(new RunTaskCommand(input())).catch((e) => e);
    expect(error?.name).toBe(errorName);
    if (message) expect(error.message).toMatch(message);
  });

  it("accepts exactly 50 tags, a 128-character key, a 256-character value and startedBy of 128 characters", async () => {
    const out = await h.ecs.send(
      new RunTaskCommand(
        fargateRun({
          startedBy: `a-b/c_${"d".repeat(122)}`,
          tags: [...tags(49), { key: "k".repeat(128), value: "v".repeat(256) }],
        }),
      ),
    );
    expect(out.tasks).toHaveLength(1);
  });
});

const listCases: Array<[string, ListTasksCommandInput, RegExp]> = [
  ["startedBy with family", { startedBy: "x", family: "worker" }, /only filter/],
  ["startedBy with desiredStatus", { startedBy: "x", desiredStatus: "STOPPED" }, /only filter/],
  ["startedBy with launchType", { startedBy: "x", launchType: "FARGATE" }, /only filter/],
  ["maxResults 0", { maxResults: 0 }, /maxResults/],
  ["maxResults 101", { maxResults: 101 }, /maxResults/],
  ["a forged nextToken", { nextToken: "garbage" }, /nextToken/],
];

describe("ListTasks validation", () => {
  it.each(listCases)("rejects %s", async (_name, input, message) => {
    const error = await h.ecs.send(new ListTasksCommand(input)).catch((e) => e);
    expect(error?.name).toBe("InvalidParameterException");
    expect(error.message).toMatch(message);
  });
});

describe("DescribeTasks validation", () => {
  it("rejects an empty list and more than 100 tasks", async () => {
    const empty = await h.ecs.send(new DescribeTasksCommand({ tasks: [] })).catch((e) => e);
    expect(empty.name).toBe("InvalidParameterException");
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, "0"));
    const tooMany = await h.ecs.send(new DescribeTasksCommand({ tasks: many })).catch((e) => e);
    expect(tooMany.name).toBe("InvalidParameterException");
    expect(tooMany.message).toMatch(/at most 100/);
  });
});

const defCases: Array<[string, Partial<RegisterTaskDefinitionCommandInput>, RegExp]> = [
  [
    "a Fargate cpu/memory pair that does not exist",
    { cpu: "256", memory: "4096" },
    /No Fargate configuration/,
  ],
  ["Fargate with bridge networking", { networkMode: "bridge" }, /awsvpc/],
  ["Fargate without task-level memory", { memory: undefined }, /memory/],
  [
    "a GPU on Fargate",
    {
      containerDefinitions: [{ name: "w", image: "i", resourceRequirements: [{ type: "GPU", value: "1" }] }],
    },
    /GPU/,
  ],
  ["no containers", { containerDefinitions: [] }, /empty/],
  [
    "a stopTimeout of 121 s",
    { containerDefinitions: [{ name: "w", image: "i", stopTimeout: 121 }] },
    /stopTimeout/,
  ],
  ["a family with a space", { family: "my family" }, /Family/],
];

describe("RegisterTaskDefinition validation", () => {
  it.each(defCases)("rejects %s", async (_name, change, message) => {
    const error = await h.ecs
      .send(new RegisterTaskDefinitionCommand({ ...fargateTaskDef(), ...change }))
      .catch((e) => e);
    expect(error?.name).toBe("ClientException");
    expect(error.message).toMatch(message);
  });

  it("accepts every documented Fargate size such as 0.25 vCPU / 0.5 GB and 16 vCPU / 120 GB", async () => {
    for (const [cpu, memory] of [
      ["256", "512"],
      ["16 vCPU", "120 GB"],
      ["4096", "30720"],
    ] as const) {
      await expect(register(h, fargateTaskDef({ cpu, memory }))).resolves.toMatch(/task-definition\/worker:/);
    }
  });
});
