import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import {
  DescribeCapacityProvidersCommand,
  DescribeContainerInstancesCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { describe1, register, testHarness, waitFor, waitForStatus } from "./helpers.js";

const gpuDef = (gpus = "1") => ({
  family: "upscale",
  requiresCompatibilities: ["EC2" as const],
  containerDefinitions: [
    {
      name: "worker",
      image: "ecs-fanout-worker:gpu",
      memory: 4096,
      portMappings: [{ containerPort: 8080 }],
      resourceRequirements: [{ type: "GPU" as const, value: gpus }],
    },
  ],
});
const gpuProvider = { name: "gpu", gpusPerInstance: 1, instances: 2, provisioningDelayMs: 300 };
const strategy = [{ capacityProvider: "gpu", weight: 1 }];

describe("EC2 GPU capacity providers and bridge networking", () => {
  it("keeps tasks in PROVISIONING while instances launch or are full, then runs them", async () => {
    const h = await testHarness({ capacityProviders: [gpuProvider] });
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: await register(h, gpuDef()),
        capacityProviderStrategy: strategy,
        count: 3,
      }),
    );
    const arns = (run.tasks ?? []).map((t) => t.taskArn ?? "");
    expect(arns).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 150));
    for (const arn of arns) expect((await describe1(h, arn)).lastStatus).toBe("PROVISIONING");
    const running = await waitFor("two running tasks", async () => {
      const tasks = await Promise.all(arns.map((a) => describe1(h, a)));
      const up = tasks.filter((t) => t.lastStatus === "RUNNING");
      return up.length === 2 ? up : undefined;
    });
    const waiting = arns.find((a) => !running.some((t) => t.taskArn === a)) ?? "";
    expect((await describe1(h, waiting)).lastStatus).toBe("PROVISIONING");
    expect(running[0]?.capacityProviderName).toBe("gpu");
    expect(running[0]?.launchType).toBe("EC2");
    expect(running[0]?.containers?.[0]?.gpuIds).toHaveLength(1);

    await h.ecs.send(new StopTaskCommand({ task: running[0]?.taskArn }));
    await waitForStatus(h, waiting, "RUNNING");
  });

  it("binds a dynamic host port on the container instance, found through DescribeContainerInstances and DescribeInstances", async () => {
    const h = await testHarness({ capacityProviders: [{ ...gpuProvider, provisioningDelayMs: 0 }] });
    const run = await h.ecs.send(
      new RunTaskCommand({ taskDefinition: await register(h, gpuDef()), capacityProviderStrategy: strategy }),
    );
    const task = await waitForStatus(h, run.tasks?.[0]?.taskArn ?? "", "RUNNING");
    const binding = task.containers?.[0]?.networkBindings?.[0];
    expect(binding?.containerPort).toBe(8080);
    expect(binding?.hostPort).toBeGreaterThanOrEqual(32768);
    const ci = await h.ecs.send(
      new DescribeContainerInstancesCommand({ containerInstances: [task.containerInstanceArn ?? ""] }),
    );
    const instanceId = ci.containerInstances?.[0]?.ec2InstanceId ?? "";
    expect(instanceId).toMatch(/^i-/);
    expect(
      ci.containerInstances?.[0]?.registeredResources?.find((r) => r.name === "GPU")?.stringSetValue,
    ).toHaveLength(1);
    const ec2 = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = ec2.Reservations?.[0]?.Instances?.[0];
    expect(instance?.State?.Name).toBe("running");
    expect(instance?.LaunchTime).toBeInstanceOf(Date);
    const ip = instance?.PrivateIpAddress ?? "";
    expect(ip).toMatch(/^127\.0\.1\.\d+$/);
    const body = await waitFor("the task on its host port", async () => {
      try {
        return (await (await fetch(`http://${ip}:${binding?.hostPort}/`)).json()) as {
          env: Record<string, string>;
        };
      } catch {
        return undefined;
      }
    });
    expect(body.env).toMatchObject({ HOST: ip, PORT: String(binding?.hostPort) });
    const missing = await h.ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000dead"] }))
      .catch((e) => e);
    expect(missing.name).toBe("InvalidInstanceID.NotFound");
  });

  it("fails placements that can never fit with RESOURCE:GPU, and the EC2 launch type on full instances", async () => {
    const h = await testHarness({
      capacityProviders: [{ ...gpuProvider, instances: 1, provisioningDelayMs: 0 }],
    });
    const tooBig = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: await register(h, gpuDef("2")),
        capacityProviderStrategy: strategy,
      }),
    );
    expect(tooBig.failures).toEqual([{ reason: "RESOURCE:GPU" }]);
    const one = await h.ecs.send(
      new RunTaskCommand({ taskDefinition: await register(h, gpuDef()), capacityProviderStrategy: strategy }),
    );
    await waitForStatus(h, one.tasks?.[0]?.taskArn ?? "", "RUNNING");
    const full = await h.ecs.send(new RunTaskCommand({ taskDefinition: "upscale", launchType: "EC2" }));
    expect(full.tasks).toEqual([]);
    expect(full.failures).toEqual([{ reason: "RESOURCE:GPU" }]);
  });

  it("lists FARGATE, FARGATE_SPOT and the configured providers", async () => {
    const h = await testHarness({ capacityProviders: [gpuProvider] });
    const out = await h.ecs.send(new DescribeCapacityProvidersCommand({}));
    expect(out.capacityProviders?.map((p) => p.name)).toEqual(["FARGATE", "FARGATE_SPOT", "gpu"]);
    expect(out.capacityProviders?.[2]?.autoScalingGroupProvider?.managedScaling?.maximumScalingStepSize).toBe(
      2,
    );
  });
});
