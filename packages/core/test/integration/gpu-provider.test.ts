import { CreateCapacityProviderCommand, CreateClusterCommand } from "@aws-sdk/client-ecs";
import { chooseGpuProvider, findGpuCapacityProvider } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { type Env, startEnv } from "./helpers.js";

const managedGpu = (name: string, cluster: string, capacityOptionType: "ON_DEMAND" | "SPOT") =>
  new CreateCapacityProviderCommand({
    name,
    cluster,
    managedInstancesProvider: {
      infrastructureRoleArn: "arn:aws:iam::000000000000:role/ecsInfrastructureRole",
      instanceLaunchTemplate: {
        ec2InstanceProfileArn: "arn:aws:iam::000000000000:instance-profile/ecsInstanceRole-gpu",
        networkConfiguration: { subnets: ["subnet-0a11ed0000000001a"] },
        capacityOptionType,
        instanceRequirements: {
          vCpuCount: { min: 4 },
          memoryMiB: { min: 16384 },
          acceleratorManufacturers: ["nvidia"],
          acceleratorCount: { min: 1, max: 1 },
        },
      },
    },
  });

describe("findGpuCapacityProvider against the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("prefers the cluster's Managed Instances GPU provider over its Auto Scaling group one, and says why", async () => {
    env = await startEnv({ capacityProviders: [{ name: "gpu-asg", gpusPerInstance: 1, instances: 2 }] });
    await env.ecs.send(
      new CreateClusterCommand({
        clusterName: "gpu",
        capacityProviders: ["FARGATE", "FARGATE_SPOT", "gpu-asg"],
      }),
    );
    const aws = env.local.clientConfig;
    const asgOnly = await findGpuCapacityProvider({ cluster: "gpu", aws });
    expect(asgOnly.chosen).toMatchObject({ name: "gpu-asg", kind: "EC2_AUTOSCALING" });

    await env.ecs.send(managedGpu("gpu-mi", "gpu", "SPOT"));
    const both = await findGpuCapacityProvider({ cluster: "gpu", aws });
    expect(both.chosen).toMatchObject({
      name: "gpu-mi",
      kind: "MANAGED_INSTANCES",
      capacityOptionType: "SPOT",
    });
    expect(both.candidates.map((p) => p.name)).toEqual(["gpu-mi", "gpu-asg"]);
    expect(both.explanation).toBe(
      "GPU capacity: gpu-mi (ECS Managed Instances, Spot; asks for 1+ accelerators), preferred over gpu-asg (an EC2 Auto Scaling group)",
    );
  });

  it("finds nothing in a cluster with only Fargate and a CPU Managed Instances provider, and says what it saw", async () => {
    env = await startEnv();
    await env.ecs.send(
      new CreateCapacityProviderCommand({
        name: "cpu-mi",
        cluster: "it",
        managedInstancesProvider: {
          infrastructureRoleArn: "arn:aws:iam::000000000000:role/ecsInfrastructureRole",
          instanceLaunchTemplate: {
            ec2InstanceProfileArn: "arn:aws:iam::000000000000:instance-profile/ecsInstanceRole-cpu",
            networkConfiguration: { subnets: ["subnet-0a11ed0000000001a"] },
          },
        },
      }),
    );
    const none = await findGpuCapacityProvider({ cluster: "it", aws: env.local.clientConfig });
    expect(none.chosen).toBeUndefined();
    expect(none.explanation).toMatch(/cluster it has no GPU capacity provider \(its providers: cpu-mi\)/);
  });

  it("chooses nothing from nothing (pure)", () => {
    expect(chooseGpuProvider("c", []).explanation).toMatch(/its providers: none/);
  });
});
