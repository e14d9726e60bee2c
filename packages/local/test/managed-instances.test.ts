import {
  CreateCapacityProviderCommand,
  type CreateCapacityProviderCommandInput,
  DescribeCapacityProvidersCommand,
  DescribeContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { type LocalEcsConfig, startLocalEcs } from "../src/index.js";
import { DEFAULT_SUBNET } from "../src/testing/index.js";
import {
  describe1,
  type Harness,
  network,
  register,
  testHarness,
  waitFor,
  waitForStatus,
} from "./helpers.js";

const ROLE = "arn:aws:iam::000000000000:role/ecsInfrastructureRole";
const PROFILE = "arn:aws:iam::000000000000:instance-profile/ecsInstanceProfile";

/** A GPU task definition as Managed Instances take it: awsvpc, MANAGED_INSTANCES, a GPU requirement. */
const gpuDefinition = (
  gpus = "1",
  extra: Partial<RegisterTaskDefinitionCommandInput> = {},
): RegisterTaskDefinitionCommandInput => ({
  family: "upscale-mi",
  networkMode: "awsvpc",
  requiresCompatibilities: ["MANAGED_INSTANCES"],
  cpu: "2048",
  memory: "8192",
  containerDefinitions: [
    {
      name: "worker",
      image: "ecs-fanout-worker:gpu",
      portMappings: [{ containerPort: 8080 }],
      resourceRequirements: [{ type: "GPU", value: gpus }],
    },
  ],
  ...extra,
});

const cpuDefinition = (): RegisterTaskDefinitionCommandInput => ({
  ...gpuDefinition(),
  family: "cpu-mi",
  cpu: "1024",
  memory: "2048",
  containerDefinitions: [
    { name: "worker", image: "ecs-fanout-worker:cpu", portMappings: [{ containerPort: 8080 }] },
  ],
});

const nvidia = {
  vCpuCount: { min: 4 },
  memoryMiB: { min: 16384 },
  acceleratorManufacturers: ["nvidia" as const],
  acceleratorCount: { min: 1, max: 1 },
};

const miConfig = (
  managedInstances: LocalEcsConfig["managedInstances"] = {},
  spot = false,
): LocalEcsConfig => ({
  clusters: ["default"],
  managedInstancesProviders: [
    {
      name: "gpu-mi",
      cluster: "default",
      capacityOptionType: spot ? "SPOT" : "ON_DEMAND",
      instanceRequirements: nvidia,
    },
  ],
  managedInstances: { batchDelayMs: 200, batchSize: 2, ...managedInstances },
});

const onMi = (provider = "gpu-mi"): Partial<RunTaskCommandInput> => ({
  capacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }],
  networkConfiguration: network(),
});

async function runMi(
  h: Harness,
  definition: RegisterTaskDefinitionCommandInput,
  count: number,
  provider?: string,
) {
  const taskDefinition = await register(h, definition);
  return h.ecs.send(new RunTaskCommand({ taskDefinition, count, ...onMi(provider) }));
}

const createInput = (over: Record<string, unknown> = {}): CreateCapacityProviderCommandInput =>
  ({
    name: "mi-spot",
    cluster: "default",
    managedInstancesProvider: {
      infrastructureRoleArn: ROLE,
      instanceLaunchTemplate: {
        ec2InstanceProfileArn: PROFILE,
        networkConfiguration: { subnets: [DEFAULT_SUBNET] },
        capacityOptionType: "SPOT",
        instanceRequirements: nvidia,
      },
    },
    ...over,
  }) as CreateCapacityProviderCommandInput;

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => ({ name: e.name, message: e.message }),
  );

describe("Managed Instances capacity providers", () => {
  it("creates a cluster-scoped provider and describes it with its launch template and type", async () => {
    const h = await testHarness({ clusters: ["default", "other"] });
    const created = await h.ecs.send(new CreateCapacityProviderCommand(createInput()));
    expect(created.capacityProvider).toMatchObject({
      name: "mi-spot",
      type: "MANAGED_INSTANCES",
      status: "ACTIVE",
      capacityProviderArn: "arn:aws:ecs:us-east-1:000000000000:capacity-provider/mi-spot",
      managedInstancesProvider: {
        infrastructureRoleArn: ROLE,
        propagateTags: "NONE",
        instanceLaunchTemplate: { ec2InstanceProfileArn: PROFILE, capacityOptionType: "SPOT" },
      },
    });
    const mine = await h.ecs.send(new DescribeCapacityProvidersCommand({ cluster: "default" }));
    expect(mine.capacityProviders?.map((p) => [p.name, p.type])).toContainEqual([
      "mi-spot",
      "MANAGED_INSTANCES",
    ]);
    const theirs = await h.ecs.send(new DescribeCapacityProvidersCommand({ cluster: "other" }));
    expect(theirs.capacityProviders?.map((p) => p.name)).not.toContain("mi-spot");
    // Only the cluster it was made for can use it.
    const td = await register(h, gpuDefinition());
    const elsewhere = await rejection(
      h.ecs.send(new RunTaskCommand({ cluster: "other", taskDefinition: td, ...onMi("mi-spot") })),
    );
    expect(elsewhere).toMatchObject({
      name: "InvalidParameterException",
      message: expect.stringMatching(/not associated with the cluster/),
    });
    const again = await rejection(h.ecs.send(new CreateCapacityProviderCommand(createInput())));
    expect(again).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/already exists/),
    });
  });

  it.each([
    ["no cluster", { cluster: undefined }, "InvalidParameterException", /cluster must be specified/],
    ["a reserved prefix", { name: "ecs-gpu" }, "InvalidParameterException", /can't be prefixed/],
    [
      "a role where the instance profile goes",
      {
        managedInstancesProvider: {
          infrastructureRoleArn: ROLE,
          instanceLaunchTemplate: {
            ec2InstanceProfileArn: ROLE,
            networkConfiguration: { subnets: [DEFAULT_SUBNET] },
          },
        },
      },
      "InvalidParameterException",
      /instanceLaunchTemplate\.ec2InstanceProfileArn: expected an IAM instance profile ARN/,
    ],
    [
      "a subnet the account does not have",
      {
        managedInstancesProvider: {
          infrastructureRoleArn: ROLE,
          instanceLaunchTemplate: {
            ec2InstanceProfileArn: PROFILE,
            networkConfiguration: { subnets: ["subnet-0000dead"] },
          },
        },
      },
      "InvalidParameterException",
      /InvalidSubnetID\.NotFound/,
    ],
    [
      "requirements no instance type meets",
      {
        managedInstancesProvider: {
          infrastructureRoleArn: ROLE,
          instanceLaunchTemplate: {
            ec2InstanceProfileArn: PROFILE,
            networkConfiguration: { subnets: [DEFAULT_SUBNET] },
            instanceRequirements: { vCpuCount: { min: 4, max: 2 }, memoryMiB: { min: 1024 } },
          },
        },
      },
      "InvalidParameterException",
      /max \(2\) must be at least min \(4\)/,
    ],
    [
      "an Auto Scaling group",
      { managedInstancesProvider: undefined, autoScalingGroupProvider: { autoScalingGroupArn: "arn:x" } },
      "UnsupportedFeatureException",
      /Auto Scaling/,
    ],
  ])("refuses CreateCapacityProvider with %s", async (_what, over, name, message) => {
    const h = await testHarness();
    expect(await rejection(h.ecs.send(new CreateCapacityProviderCommand(createInput(over))))).toMatchObject({
      name,
      message: expect.stringMatching(message),
    });
  });

  it("refuses a member the API does not have, named by its path (the SDKs drop them, so over raw HTTP)", async () => {
    const h = await testHarness();
    const body = createInput() as unknown as {
      managedInstancesProvider: { instanceLaunchTemplate: Record<string, unknown> };
    };
    body.managedInstancesProvider.instanceLaunchTemplate["instanceRequirements"] = {
      vCpuCount: { min: 1 },
      memoryMiB: { min: 1024 },
      gpuCount: 1,
    };
    const res = await fetch(h.local.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.CreateCapacityProvider",
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    const error = (await res.json()) as { __type: string; message: string };
    expect(error.__type).toMatch(/InvalidParameterException$/);
    expect(error.message).toMatch(/instanceRequirements\.gpuCount: expected a known key/);
  });

  it("checks task definitions for Managed Instances and refuses RunTask with a launch type", async () => {
    const h = await testHarness(miConfig());
    const noMode = await rejection(
      h.ecs.send(new RegisterTaskDefinitionCommand({ ...gpuDefinition(), networkMode: undefined })),
    );
    expect(noMode).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/networkMode awsvpc or host/),
    });
    const ephemeral = await rejection(
      h.ecs.send(
        new RegisterTaskDefinitionCommand({ ...gpuDefinition(), ephemeralStorage: { sizeInGiB: 30 } }),
      ),
    );
    expect(ephemeral).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/ephemeralStorage/),
    });
    const ok = await h.ecs.send(new RegisterTaskDefinitionCommand(gpuDefinition()));
    expect(ok.taskDefinition?.compatibilities).toContain("MANAGED_INSTANCES");

    const undeclared = await register(h, {
      ...gpuDefinition(),
      family: "plain",
      requiresCompatibilities: [],
    });
    const refused = await rejection(
      h.ecs.send(new RunTaskCommand({ taskDefinition: undeclared, ...onMi() })),
    );
    expect(refused).toMatchObject({
      message: expect.stringMatching(/does not support launch_type MANAGED_INSTANCES/),
    });
    const both = await rejection(
      h.ecs.send(new RunTaskCommand({ taskDefinition: "upscale-mi", launchType: "EC2", ...onMi() })),
    );
    expect(both).toMatchObject({
      message: expect.stringMatching(/both a launch type and capacity provider strategy/),
    });
    const asLaunchType = await rejection(
      h.ecs.send(
        new RunTaskCommand({
          taskDefinition: "upscale-mi",
          launchType: "MANAGED_INSTANCES",
          networkConfiguration: network(),
        }),
      ),
    );
    expect(asLaunchType).toMatchObject({ message: expect.stringMatching(/capacityProviderStrategy/) });
    const publicIp = await rejection(
      h.ecs.send(
        new RunTaskCommand({
          taskDefinition: "upscale-mi",
          ...onMi(),
          networkConfiguration: network("ENABLED"),
        }),
      ),
    );
    expect(publicIp).toMatchObject({ message: expect.stringMatching(/Assign public IP is not supported/) });
  });

  it("keeps tasks PROVISIONING while instances arrive in batches, then runs them on the cheapest matching GPU type", async () => {
    const h = await testHarness(miConfig({ batchSize: 2, batchDelayMs: 300 }));
    const run = await runMi(h, gpuDefinition(), 3);
    expect(run.failures).toEqual([]);
    const arns = (run.tasks ?? []).map((t) => t.taskArn ?? "");
    expect(run.tasks?.map((t) => t.lastStatus)).toEqual(["PROVISIONING", "PROVISIONING", "PROVISIONING"]);
    await new Promise((r) => setTimeout(r, 150));
    for (const arn of arns) expect((await describe1(h, arn)).lastStatus).toBe("PROVISIONING");
    // The first batch holds two one-GPU instances: two tasks run, the third waits for the next.
    const firstTwo = await waitFor("two running tasks", async () => {
      const tasks = await Promise.all(arns.map((a) => describe1(h, a)));
      const up = tasks.filter((t) => t.lastStatus === "RUNNING");
      return up.length >= 2 ? up : undefined;
    });
    const third = arns.find((a) => !firstTwo.some((t) => t.taskArn === a)) ?? "";
    expect((await describe1(h, third)).lastStatus).toBe("PROVISIONING");
    const last = await waitForStatus(h, third, "RUNNING");
    for (const t of [...firstTwo, last]) {
      expect(t.launchType).toBe("MANAGED_INSTANCES");
      expect(t.capacityProviderName).toBe("gpu-mi");
      expect(t.containers?.[0]?.gpuIds).toHaveLength(1);
    }
    const instances = await h.ecs.send(
      new DescribeContainerInstancesCommand({
        containerInstances: [...new Set([...firstTwo, last].map((t) => t.containerInstanceArn ?? ""))],
      }),
    );
    expect(instances.containerInstances).toHaveLength(3);
    for (const i of instances.containerInstances ?? []) {
      expect(i.capacityProviderName).toBe("gpu-mi");
      expect(i.attributes?.find((a) => a.name === "ecs.instance-type")?.value).toBe("g4dn.xlarge");
    }
  });

  it("counts GPUs per instance: four one-GPU tasks share a four-GPU instance, each with its own GPU", async () => {
    const h = await testHarness({
      ...miConfig({ batchSize: 1, batchDelayMs: 100 }),
      managedInstancesProviders: [
        {
          name: "gpu-mi",
          cluster: "default",
          instanceRequirements: {
            ...nvidia,
            acceleratorCount: { min: 4 },
            allowedInstanceTypes: ["g4dn.12xlarge"],
          },
        },
      ],
    });
    const run = await runMi(h, gpuDefinition(), 5);
    const arns = (run.tasks ?? []).map((t) => t.taskArn ?? "");
    const tasks = await Promise.all(arns.map((a) => waitForStatus(h, a, "RUNNING")));
    const byInstance = new Map<string, typeof tasks>();
    for (const t of tasks) {
      const key = t.containerInstanceArn ?? "";
      byInstance.set(key, [...(byInstance.get(key) ?? []), t]);
    }
    expect([...byInstance.values()].map((g) => g.length).sort()).toEqual([1, 4]);
    const four = [...byInstance.values()].find((g) => g.length === 4) ?? [];
    expect(new Set(four.flatMap((t) => t.containers?.[0]?.gpuIds ?? [])).size).toBe(4);
  });

  it("fails placements with RESOURCE:GPU while instances launch (whileLaunching: fail), and places the retry once they arrive", async () => {
    const h = await testHarness(miConfig({ whileLaunching: "fail", batchDelayMs: 200 }));
    const first = await runMi(h, gpuDefinition(), 2);
    expect(first.tasks).toEqual([]);
    expect(first.failures).toEqual([{ reason: "RESOURCE:GPU" }, { reason: "RESOURCE:GPU" }]);
    const cpuOnly = await runMi(
      h,
      {
        ...gpuDefinition("1"),
        family: "cpu-on-gpu",
        containerDefinitions: cpuDefinition().containerDefinitions,
      },
      1,
    );
    expect(cpuOnly.failures).toEqual([{ reason: "RESOURCE:MEMORY" }]);
    const retry = await waitFor("a placed retry", async () => {
      const out = await h.ecs.send(new RunTaskCommand({ taskDefinition: "upscale-mi", count: 2, ...onMi() }));
      if (out.tasks?.length) return out;
      await new Promise((r) => setTimeout(r, 50));
      return undefined;
    });
    expect(retry.failures).toEqual([]);
    for (const t of retry.tasks ?? []) await waitForStatus(h, t.taskArn ?? "", "RUNNING");
  });

  it("fails a task no matching instance type can hold with RESOURCE:GPU at once", async () => {
    const h = await testHarness(miConfig());
    const out = await runMi(h, { ...gpuDefinition("2"), family: "two-gpus" }, 1);
    expect(out.tasks).toEqual([]);
    expect(out.failures).toEqual([{ reason: "RESOURCE:GPU" }]);
  });

  it("stops a task stuck in PROVISIONING past the timeout with TaskFailedToStart and the reason", async () => {
    const h = await testHarness(miConfig({ maxInstances: 0, provisioningTimeoutMs: 300 }));
    const run = await runMi(h, gpuDefinition(), 1);
    const arn = run.tasks?.[0]?.taskArn ?? "";
    const stopped = await waitForStatus(h, arn, "STOPPED");
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toMatch(/PROVISIONING for 0 s.*gpu-mi/);
    expect(stopped.startedAt).toBeUndefined();
  });

  it("reclaims a Spot instance: its tasks get the Spot notice and stop with SpotInterruption, then the instance is gone", async () => {
    const h = await testHarness(miConfig({ batchSize: 1, batchDelayMs: 50 }, true));
    const run = await runMi(h, cpuDefinition(), 2, "gpu-mi");
    const arns = (run.tasks ?? []).map((t) => t.taskArn ?? "");
    const running = await Promise.all(arns.map((a) => waitForStatus(h, a, "RUNNING")));
    const instanceArn = running[0]?.containerInstanceArn ?? "";
    // Small tasks share one instance.
    expect(running[1]?.containerInstanceArn).toBe(instanceArn);
    h.local.reclaimInstance(instanceArn);
    for (const arn of arns) {
      const stopped = await waitForStatus(h, arn, "STOPPED");
      expect(stopped.stopCode).toBe("SpotInterruption");
      expect(stopped.stoppedReason).toBe("Your Spot Task was interrupted.");
    }
    const gone = await waitFor("the instance to go", async () => {
      const out = await h.ecs.send(
        new DescribeContainerInstancesCommand({ containerInstances: [instanceArn] }),
      );
      return out.failures?.length ? out : undefined;
    });
    expect(gone.failures).toEqual([{ arn: instanceArn, reason: "MISSING" }]);
    expect(() => h.local.reclaimInstance("i-0000000000000dead")).toThrow(
      /no Managed Instances Spot instance/,
    );
  });

  it("reclaims Spot instances by the instanceReclaims fault", async () => {
    const h = await testHarness({
      ...miConfig({ batchSize: 1, batchDelayMs: 20 }, true),
      faults: { instanceReclaims: { fraction: 1, afterMs: 200 } },
    });
    const run = await runMi(h, cpuDefinition(), 1);
    const stopped = await waitForStatus(h, run.tasks?.[0]?.taskArn ?? "", "STOPPED");
    expect(stopped.stopCode).toBe("SpotInterruption");
  });
});

describe("the Managed Instances config", () => {
  it.each([
    [
      { clusters: ["a"], managedInstancesProviders: [{ name: "mi", cluster: "b" }] },
      /managedInstancesProviders\[0\]\.cluster: expected one of the clusters listed in clusters \(a\), got "b"/,
    ],
    [
      { clusters: ["a"], managedInstancesProviders: [{ name: "mi", cluster: "a", gpus: 1 }] },
      /managedInstancesProviders\[0\]\.gpus: expected a known key/,
    ],
    [{ managedInstances: { batchSize: 0 } }, /managedInstances\.batchSize: expected/],
    [{ managedInstances: { whileLaunching: "queue" } }, /managedInstances\.whileLaunching: expected/],
  ])("refuses %j", async (config, problem) => {
    await expect(startLocalEcs(config as LocalEcsConfig)).rejects.toThrow(problem);
  });
});
