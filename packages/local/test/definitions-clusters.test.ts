import {
  CreateClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListTasksCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { describe1, fargateTaskDef, fileHarness, network, register } from "./helpers.js";

const h = fileHarness();

describe("task definitions", () => {
  it("adds revisions, resolves a family to its latest ACTIVE one, and refuses to run an INACTIVE one", async () => {
    const first = await register(
      h,
      fargateTaskDef({ family: "revs", tags: [{ key: "team", value: "video" }] }),
    );
    const second = await register(h, fargateTaskDef({ family: "revs" }));
    expect(first).toMatch(/task-definition\/revs:1$/);
    expect(second).toMatch(/task-definition\/revs:2$/);
    const latest = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "revs" }));
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.taskDefinition?.compatibilities).toEqual(["EC2", "FARGATE"]);
    expect(latest.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    expect(latest.tags).toBeUndefined();
    const withTags = await h.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: "revs:1", include: ["TAGS"] }),
    );
    expect(withTags.tags).toEqual([{ key: "team", value: "video" }]);

    const gone = await h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: second }));
    expect(gone.taskDefinition?.status).toBe("INACTIVE");
    expect(gone.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    expect(
      (await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "revs" }))).taskDefinition
        ?.revision,
    ).toBe(1);
    const error = await h.ecs
      .send(
        new RunTaskCommand({
          taskDefinition: "revs:2",
          launchType: "FARGATE",
          networkConfiguration: network(),
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe("ClientException");
    expect(error.message).toMatch(/inactive/);
  });

  it("answers unknown task definitions with ClientException", async () => {
    const error = await h.ecs
      .send(new DescribeTaskDefinitionCommand({ taskDefinition: "nope" }))
      .catch((e) => e);
    expect(error.name).toBe("ClientException");
  });

  it("copies task definition tags to the task with propagateTags TASK_DEFINITION", async () => {
    const out = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: "revs:1",
        launchType: "FARGATE",
        networkConfiguration: network(),
        propagateTags: "TASK_DEFINITION",
        tags: [{ key: "run", value: "r" }],
      }),
    );
    expect(out.tasks?.[0]?.tags).toBeUndefined(); // RunTask answers without tags, as DescribeTasks without include
    const described = await describe1(h, out.tasks?.[0]?.taskArn ?? "");
    expect(described.tags).toEqual([
      { key: "team", value: "video" },
      { key: "run", value: "r" },
    ]);
  });
});

describe("clusters", () => {
  it("creates clusters idempotently and describes unknown ones as MISSING failures", async () => {
    const created = await h.ecs.send(
      new CreateClusterCommand({ clusterName: "render", tags: [{ key: "a", value: "b" }] }),
    );
    expect(created.cluster?.clusterArn).toBe("arn:aws:ecs:us-east-1:000000000000:cluster/render");
    const again = await h.ecs.send(new CreateClusterCommand({ clusterName: "render" }));
    expect(again.cluster?.clusterArn).toBe(created.cluster?.clusterArn);
    const out = await h.ecs.send(
      new DescribeClustersCommand({ clusters: ["render", "ghost"], include: ["TAGS"] }),
    );
    expect(out.clusters?.[0]?.tags).toEqual([{ key: "a", value: "b" }]);
    expect(out.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:cluster/ghost", reason: "MISSING" },
    ]);
    const error = await h.ecs.send(new ListTasksCommand({ cluster: "ghost" })).catch((e) => e);
    expect(error.name).toBe("ClusterNotFoundException");
    expect(error.message).toBe("Cluster not found.");
  });

  it("uses a cluster's default capacity provider strategy when RunTask names neither", async () => {
    await h.ecs.send(
      new CreateClusterCommand({
        clusterName: "spotty",
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      }),
    );
    const out = await h.ecs.send(
      new RunTaskCommand({ cluster: "spotty", taskDefinition: "revs:1", networkConfiguration: network() }),
    );
    expect(out.tasks?.[0]?.capacityProviderName).toBe("FARGATE_SPOT");
    expect(out.tasks?.[0]?.launchType).toBe("FARGATE");
  });

  it("spreads tasks over a strategy by base, then weight", async () => {
    const out = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: "revs:1",
        networkConfiguration: network(),
        count: 6,
        capacityProviderStrategy: [
          { capacityProvider: "FARGATE", base: 2, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ],
      }),
    );
    const providers = (out.tasks ?? []).map((t) => t.capacityProviderName);
    expect(providers.filter((p) => p === "FARGATE")).toHaveLength(3);
    expect(providers.filter((p) => p === "FARGATE_SPOT")).toHaveLength(3);
  });
});
