import { describe, expect, it } from "vitest";
import { ValidationError, workerTaskDefinition } from "../../src/index.js";
import { fargateSizeProblem } from "../../src/pricing/index.js";

const base = {
  image: "123.dkr.ecr.us-east-1.amazonaws.com/worker:1",
  logGroup: "/ecs/fanout",
  logRegion: "us-east-1",
  executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
};

describe("workerTaskDefinition", () => {
  it("builds a Fargate awsvpc definition for CPU work", () => {
    const td = workerTaskDefinition({
      ...base,
      cpu: 2048,
      memory: 4096,
      slots: 2,
      executionRoleArn: "arn:role/exec",
    });
    expect(td).toMatchObject({
      family: "ecs-fanout-worker",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "2048",
      memory: "4096",
      executionRoleArn: "arn:role/exec",
    });
    const c = td.containerDefinitions?.[0];
    expect(c?.portMappings).toEqual([{ containerPort: 8080, protocol: "tcp" }]);
    expect(c?.environment).toEqual(
      expect.arrayContaining([
        { name: "FANOUT_SLOTS", value: "2" },
        { name: "FANOUT_STOP_TIMEOUT_SECONDS", value: "25" },
      ]),
    );
    expect(c?.logConfiguration?.options).toEqual({
      "awslogs-group": "/ecs/fanout",
      "awslogs-region": "us-east-1",
      "awslogs-stream-prefix": "worker",
      "awslogs-create-group": "true",
    });
    expect(c?.resourceRequirements).toBeUndefined();
  });

  it("builds an EC2 bridge definition with a GPU requirement and a dynamic host port", () => {
    const td = workerTaskDefinition({ ...base, cpu: 4096, memory: 15000, gpu: 1 });
    expect(td.requiresCompatibilities).toEqual(["EC2"]);
    expect(td.networkMode).toBe("bridge");
    expect(td.containerDefinitions?.[0]?.resourceRequirements).toEqual([{ type: "GPU", value: "1" }]);
    expect(td.containerDefinitions?.[0]?.portMappings).toEqual([
      { containerPort: 8080, hostPort: 0, protocol: "tcp" },
    ]);
  });

  it("builds a Managed Instances awsvpc GPU definition without host volumes", () => {
    const td = workerTaskDefinition({
      ...base,
      cpu: 3072,
      memory: 14336,
      gpu: 1,
      compatibility: "MANAGED_INSTANCES",
    });
    expect(td).toMatchObject({
      family: "ecs-fanout-worker-gpu-mi",
      requiresCompatibilities: ["MANAGED_INSTANCES"],
      networkMode: "awsvpc",
      cpu: "3072",
      memory: "14336",
    });
    expect(td.volumes).toBeUndefined();
    const c = td.containerDefinitions?.[0];
    expect(c?.resourceRequirements).toEqual([{ type: "GPU", value: "1" }]);
    expect(c?.mountPoints).toBeUndefined();
    expect(c?.portMappings).toEqual([{ containerPort: 8080, protocol: "tcp" }]);
  });

  it("refuses what Managed Instances and Fargate cannot take, every problem at once", () => {
    const attempt = () =>
      workerTaskDefinition({
        ...base,
        cpu: 2048,
        memory: 8192,
        gpu: 1,
        compatibility: "MANAGED_INSTANCES",
        networkMode: "bridge",
        modelCacheHostPath: "/opt/models",
        ephemeralStorageGiB: 30,
      });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/networkMode: expected "awsvpc" or "host" on Managed Instances/);
    expect(attempt).toThrow(/modelCacheHostPath/);
    expect(attempt).toThrow(/ephemeralStorageGiB/);
    expect(() =>
      workerTaskDefinition({ ...base, cpu: 2048, memory: 4096, gpu: 1, compatibility: "FARGATE" }),
    ).toThrow(/gpu: expected 0 on Fargate/);
  });

  it("mounts a host directory at /models on GPU tasks, so model weights survive between tasks on an instance", () => {
    const td = workerTaskDefinition({ ...base, cpu: 4096, memory: 15000, gpu: 1 });
    expect(td.volumes).toEqual([{ name: "models", host: { sourcePath: "/opt/ecs-fanout/models" } }]);
    const c = td.containerDefinitions?.[0];
    expect(c?.mountPoints).toEqual([{ sourceVolume: "models", containerPath: "/models", readOnly: false }]);
    expect(c?.environment).toContainEqual({ name: "FANOUT_MODEL_DIR", value: "/models" });
    const custom = workerTaskDefinition({
      ...base,
      cpu: 4096,
      memory: 15000,
      gpu: 1,
      modelCacheHostPath: "/data/w",
    });
    expect(custom.volumes?.[0]?.host?.sourcePath).toBe("/data/w");
    const cpuOnly = workerTaskDefinition({ ...base, cpu: 1024, memory: 2048 });
    expect(cpuOnly.volumes).toBeUndefined();
    expect(cpuOnly.containerDefinitions?.[0]?.mountPoints).toBeUndefined();
  });

  it.each([
    [{ cpu: 1024, memory: 2048, modelCacheHostPath: "/opt/m" }, "no modelCacheHostPath for Fargate tasks"],
    [{ cpu: 4096, memory: 15000, gpu: 1, modelCacheHostPath: "models" }, "an absolute path"],
  ])("rejects a model cache path %o", (options, message) => {
    expect(() => workerTaskDefinition({ ...base, ...options })).toThrow(message);
  });

  it("refuses a Fargate definition without an execution role, since awslogs needs one there", () => {
    const { executionRoleArn: _, ...noRole } = base;
    expect(() => workerTaskDefinition({ ...noRole, cpu: 1024, memory: 2048 })).toThrow(
      "executionRoleArn: expected an execution role ARN on Fargate",
    );
    // EC2 (GPU) tasks log through the instance role, so the execution role stays optional there.
    expect(
      workerTaskDefinition({ ...noRole, cpu: 4096, memory: 15000, gpu: 1 }).executionRoleArn,
    ).toBeUndefined();
  });

  it("rejects sizes Fargate does not offer, every problem at once", () => {
    try {
      workerTaskDefinition({ ...base, image: "", cpu: 1024, memory: 1024 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path)).toEqual(["image", "memory"]);
    }
  });

  it.each([
    [256, 512, undefined],
    [256, 4096, "memory for 256 CPU units of 512, 1024, 2048 MiB, got 4096"],
    [2048, 16384, undefined],
    [2048, 4500, "memory for 2048 CPU units of 4096–16384 in steps of 1024 MiB, got 4500"],
    [3000, 8192, "cpu one of 256, 512, 1024, 2048, 4096, 8192, 16384, got 3000"],
  ])("checks %i CPU with %i MiB", (cpu, memory, problem) => {
    expect(fargateSizeProblem(cpu, memory)).toBe(problem);
  });
});
