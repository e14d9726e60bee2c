import { describe, expect, it } from "vitest";
import {
  type CleanupOptions,
  cleanupStaleTasks,
  type ListTasksOptions,
  listTasks,
  ValidationError,
  type WorkerTaskDefinitionOptions,
  workerTaskDefinition,
} from "../../../src/index.js";
import { estimateRunCost, taskCost } from "../../../src/pricing/index.js";

type Problem = { path: string; message: string };

async function problemsOf(call: () => unknown): Promise<Problem[]> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.problems];
    throw error;
  }
  return [];
}

// A closed port: a call that reached "AWS" would fail with something other than a ValidationError.
const aws = {
  region: "us-east-1",
  endpoint: "http://127.0.0.1:9",
  credentials: { accessKeyId: "a", secretAccessKey: "b" },
};

describe("listTasks and cleanupStaleTasks options", () => {
  const cleanup = (patch: Record<string, unknown>) => () =>
    cleanupStaleTasks({ cluster: "c", aws, ...patch } as unknown as CleanupOptions);
  const list = (patch: Record<string, unknown>) => () =>
    listTasks({ cluster: "c", aws, ...patch } as unknown as ListTasksOptions);

  it.each<[string, () => unknown, Problem[]]>([
    [
      "a cleanup typo, with the closest key",
      cleanup({ dryRn: true }),
      [{ path: "dryRn", message: 'expected a known key (did you mean "dryRun"?), got "dryRn"' }],
    ],
    [
      "an unknown key at depth",
      cleanup({ apiRate: { readPerSecnd: 1 } }),
      [
        {
          path: "apiRate.readPerSecnd",
          message: 'expected a known key (did you mean "readPerSecond"?), got "readPerSecnd"',
        },
      ],
    ],
    [
      "an unknown key in the AWS retry knobs",
      list({ retry: { segmentAttempts: 2 } }),
      [{ path: "retry.segmentAttempts", message: 'expected a known key, got "segmentAttempts"' }],
    ],
    [
      "a bad value",
      cleanup({ olderThanSeconds: -5 }),
      [{ path: "olderThanSeconds", message: "expected a number ≥ 0, got -5" }],
    ],
    [
      "dryRun as a string",
      cleanup({ dryRun: "yes" }),
      [{ path: "dryRun", message: 'expected true or false, got "yes"' }],
    ],
    [
      "a removed alias (clientConfig)",
      list({ clientConfig: aws }),
      [{ path: "clientConfig", message: 'expected a known key, got "clientConfig"' }],
    ],
    [
      "every problem together",
      list({ cluster: "", startedBy: "a b", includeUnmanged: true }),
      [
        { path: "cluster", message: 'expected a non-empty string, got ""' },
        { path: "startedBy", message: "expected 1 to 128 letters, digits, '-', '/' or '_', got \"a b\"" },
        {
          path: "includeUnmanged",
          message: 'expected a known key (did you mean "includeUnmanaged"?), got "includeUnmanged"',
        },
      ],
    ],
  ])("report %s before any AWS call", async (_name, call, problems) => {
    expect(await problemsOf(call)).toEqual(problems);
  });

  it("report a missing options object", async () => {
    const missing = () => listTasks(undefined as unknown as ListTasksOptions);
    expect(await problemsOf(missing)).toEqual([{ path: "", message: "expected an object, got undefined" }]);
  });
});

describe("workerTaskDefinition options", () => {
  const base = {
    image: "w:1",
    cpu: 1024,
    memory: 2048,
    logGroup: "/ecs/w",
    logRegion: "us-east-1",
    executionRoleArn: "arn:aws:iam::123456789012:role/exec",
  };
  const td = (patch: Record<string, unknown>) => () =>
    workerTaskDefinition({ ...base, ...patch } as unknown as WorkerTaskDefinitionOptions);

  it.each<[string, () => unknown, Problem[]]>([
    [
      "a typo, with the closest key",
      td({ contianerPort: 9000 }),
      [
        {
          path: "contianerPort",
          message: 'expected a known key (did you mean "containerPort"?), got "contianerPort"',
        },
      ],
    ],
    [
      "an unknown key at depth is impossible to hide in environment (values must be strings)",
      td({ environment: { A: 1 } }),
      [{ path: "environment.A", message: "expected a string, got 1" }],
    ],
    [
      "cpu as a string",
      td({ cpu: "1024" }),
      [{ path: "cpu", message: 'expected an integer from 128 to 196608, got "1024"' }],
    ],
    [
      "an unknown architecture",
      td({ architecture: "RISCV" }),
      [{ path: "architecture", message: 'expected one of "X86_64", "ARM64", got "RISCV"' }],
    ],
    [
      "a size Fargate does not offer",
      td({ memory: 1024 }),
      [
        {
          path: "memory",
          message: "expected memory for 1024 CPU units of 2048–8192 in steps of 1024 MiB, got 1024",
        },
      ],
    ],
    [
      "a bridge network on Fargate",
      td({ networkMode: "bridge" }),
      [{ path: "networkMode", message: 'expected "awsvpc" on Fargate, got "bridge"' }],
    ],
    [
      "a stop timeout Fargate does not allow",
      td({ stopTimeoutSeconds: 300 }),
      [{ path: "stopTimeoutSeconds", message: "expected at most 120 seconds on Fargate, got 300" }],
    ],
    [
      "a model cache on Fargate",
      td({ modelCacheHostPath: "/opt/m" }),
      [
        {
          path: "modelCacheHostPath",
          message:
            'expected no modelCacheHostPath for Fargate tasks (no host volumes; set gpu for an EC2 task), got "/opt/m"',
        },
      ],
    ],
    [
      "ephemeral storage on EC2",
      td({ gpu: 1, cpu: 4096, memory: 15000, ephemeralStorageGiB: 50 }),
      [
        {
          path: "ephemeralStorageGiB",
          message: "expected no ephemeralStorageGiB for EC2 (GPU) tasks, got 50",
        },
      ],
    ],
    [
      "every problem together",
      td({ image: "", slots: 0, sizeGiB: 1 }),
      [
        { path: "image", message: 'expected a non-empty string, got ""' },
        { path: "slots", message: "expected an integer from 1 to 64, got 0" },
        { path: "sizeGiB", message: 'expected a known key, got "sizeGiB"' },
      ],
    ],
  ])("report %s", async (_name, call, problems) => {
    expect(await problemsOf(call)).toEqual(problems);
  });

  it("accept a GPU task with a long stop timeout and a host model cache", async () => {
    const gpu = td({ gpu: 1, cpu: 4096, memory: 15000, stopTimeoutSeconds: 300, modelCacheHostPath: "/m" });
    expect(await problemsOf(gpu)).toEqual([]);
  });
});

describe("pricing overrides", () => {
  const stamps = { createdAt: new Date(0), stoppedAt: new Date(3_600_000), launchType: "FARGATE" };

  it.each<[string, () => unknown, Problem[]]>([
    [
      "an unknown key at depth in a rate table",
      () =>
        taskCost(stamps, {
          region: "r",
          fargate: { r: { X86_64: { vcpuHour: 1, gbHour: 1, gbHours: 2 } } },
        } as never),
      [
        {
          path: "fargate.r.X86_64.gbHours",
          message: 'expected a known key (did you mean "gbHour"?), got "gbHours"',
        },
      ],
    ],
    [
      "a typo, with the closest key",
      () =>
        estimateRunCost({ tasks: 1, secondsPerTask: 60 }, { region: "us-east-1", spotDiscont: 0.5 } as never),
      [
        {
          path: "spotDiscont",
          message: 'expected a known key (did you mean "spotDiscount"?), got "spotDiscont"',
        },
      ],
    ],
    [
      "a bad value",
      () => taskCost(stamps, { region: "us-east-1", spotDiscount: 1.5 }),
      [{ path: "spotDiscount", message: "expected a number ≥ 0 and < 1, got 1.5" }],
    ],
    [
      "a missing region",
      () => taskCost(stamps, {} as never),
      [{ path: "region", message: "expected a non-empty string, got undefined" }],
    ],
    [
      "a bad estimate input",
      () =>
        estimateRunCost({ tasks: 0, secondsPerTask: 60, launchType: "LAMBDA" } as never, {
          region: "us-east-1",
        }),
      [
        { path: "tasks", message: "expected an integer ≥ 1, got 0" },
        {
          path: "launchType",
          message: 'expected one of "FARGATE", "FARGATE_SPOT", "EC2", "MANAGED_INSTANCES", got "LAMBDA"',
        },
      ],
    ],
  ])("report %s", async (_name, call, problems) => {
    expect(await problemsOf(call)).toEqual(problems);
  });
});
