import { describe, expect, it } from "vitest";
import { type BatchRunOptions, executeParallelBatches, ValidationError } from "../../../src/index.js";
import { parseOptions } from "../../../src/options/check.js";
import { runOptionsSchema } from "../../../src/options/run.js";

const valid: BatchRunOptions = {
  segments: [
    { id: "a", input: { path: "/in/a.mp4" } },
    { id: "b", input: { url: "https://example.com/b.mp4" } },
  ],
  cluster: "c",
  taskDefinition: "td",
  outputDir: "/out",
  network: { subnets: ["subnet-1"] },
};

/** The problems of `valid` with `patch` applied (a patch value of undefined deletes the key). */
function problemsWith(patch: Record<string, unknown>): { path: string; message: string }[] {
  try {
    parseOptions(runOptionsSchema, { ...valid, ...patch }, "run options");
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [...error.problems];
  }
}

describe("run options", () => {
  it("accept a minimal run and fill every default once", () => {
    const o = parseOptions(runOptionsSchema, valid, "run options");
    expect(o).toMatchObject({
      maxParallelTasks: 10,
      segmentsPerBatch: 1,
      slotsPerTask: 1,
      lookAhead: true,
      order: "largest-first",
      launch: { type: "FARGATE" },
      overrides: {},
      tags: {},
      startedBy: "ecs-fanout",
      pollIntervalMs: 3000,
      handleSignals: false,
      clients: {},
    });
    expect(o.retry).toEqual({
      segmentAttempts: 3,
      launchRetries: 6,
      awsRetries: 8,
      minBackoffMs: 1000,
      maxBackoffMs: 30_000,
      downloadResumes: 5,
    });
    expect(o.timeouts).toEqual({
      taskStartMs: 600_000,
      workerReadyMs: 180_000,
      segmentMs: 3_600_000,
      httpMs: 30_000,
      missingMs: 60_000,
      stopWaitMs: 120_000,
    });
    expect(o.liveness).toEqual({ intervalMs: 1000, timeoutMs: 1500, failures: 3 });
    expect(o.apiRate).toEqual({
      modifyPerSecond: 4,
      modifyBurst: 10,
      readPerSecond: 2,
      readBurst: 10,
      otherPerSecond: 5,
      otherBurst: 10,
    });
    expect(o.pricing).toEqual({
      spotDiscount: 0.66,
      minimumBilledSeconds: 60,
      architecture: "X86_64",
      managedInstancesFeeFraction: 0.12,
      publicIpv4Hourly: 0.005,
    });
    expect(o.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.segments[0]).toEqual({
      id: "a",
      input: { path: "/in/a.mp4" },
      params: {},
      outputName: "a.mp4",
      outputPath: "/out/a.mp4",
      weight: undefined,
    });
    expect(o.segments[1]?.outputName).toBe("b.mp4");
  });

  it("keep what is given field by field; an explicit undefined means the default", () => {
    const o = parseOptions(
      runOptionsSchema,
      {
        ...valid,
        params: { processor: "synthetic", ms: 1 },
        retry: { segmentAttempts: 7, minBackoffMs: undefined, maxReplacements: 0 },
        timeouts: { httpMs: 1234 },
        liveness: { failures: 5 },
        apiRate: { readBurst: 40 },
        launch: { type: "FARGATE_SPOT" },
        overrides: { cpu: 512, memory: 1024 },
      },
      "run options",
    );
    expect(o.retry).toMatchObject({
      segmentAttempts: 7,
      minBackoffMs: 1000,
      maxReplacements: 0,
      awsRetries: 8,
    });
    expect(o.timeouts).toMatchObject({ httpMs: 1234, stopWaitMs: 120_000 });
    expect(o.liveness).toEqual({ intervalMs: 1000, timeoutMs: 1500, failures: 5 });
    expect(o.apiRate).toMatchObject({ readBurst: 40, readPerSecond: 2 });
    expect(o.launch).toEqual({ type: "FARGATE_SPOT", fallbackToOnDemand: true });
    // RunTask takes cpu and memory as strings.
    expect(o.overrides).toEqual({ cpu: "512", memory: "1024" });
    expect(o.segments[0]?.params).toEqual({ processor: "synthetic", ms: 1 });
  });

  it.each<[string, Record<string, unknown>, { path: string; message: string }]>([
    [
      "a typo at the top, with the closest key",
      { maxParalelTasks: 4 },
      {
        path: "maxParalelTasks",
        message: 'expected a known key (did you mean "maxParallelTasks"?), got "maxParalelTasks"',
      },
    ],
    [
      "a typo in a nested object",
      { retry: { segmentAttemps: 2 } },
      {
        path: "retry.segmentAttemps",
        message: 'expected a known key (did you mean "segmentAttempts"?), got "segmentAttemps"',
      },
    ],
    [
      "a typo in a segment",
      { segments: [{ id: "a", input: { path: "/in/a.mp4" }, wieght: 3 }] },
      { path: "segments[0].wieght", message: 'expected a known key (did you mean "weight"?), got "wieght"' },
    ],
    [
      "a typo three levels down",
      {
        launch: {
          type: "CAPACITY_PROVIDER",
          capacityProviderStrategy: [{ capacityProvider: "gpu", wieght: 1 }],
        },
      },
      {
        path: "launch.capacityProviderStrategy[0].wieght",
        message: 'expected a known key (did you mean "weight"?), got "wieght"',
      },
    ],
    [
      "a typo in a launch variant",
      { launch: { type: "FARGATE_SPOT", fallbackToOnDemnd: false } },
      {
        path: "launch.fallbackToOnDemnd",
        message: 'expected a known key (did you mean "fallbackToOnDemand"?), got "fallbackToOnDemnd"',
      },
    ],
    [
      "a typo in the transport options",
      { transport: { insecurePlainHtp: true } },
      {
        path: "transport.insecurePlainHtp",
        message: 'expected a known key (did you mean "insecurePlainHttp"?), got "insecurePlainHtp"',
      },
    ],
    [
      "an unknown key with nothing close",
      { timeouts: { bogus: 5 } },
      { path: "timeouts.bogus", message: 'expected a known key, got "bogus"' },
    ],
    [
      "no segments",
      { segments: [] },
      { path: "segments", message: "expected an array of at least 1 object, got an array of 0" },
    ],
    [
      "zero tasks",
      { maxParallelTasks: 0 },
      { path: "maxParallelTasks", message: "expected an integer from 1 to 5000, got 0" },
    ],
    [
      "fractional segments per batch",
      { segmentsPerBatch: 1.5 },
      { path: "segmentsPerBatch", message: "expected an integer ≥ 1, got 1.5" },
    ],
    [
      "a port out of range",
      { containerPort: 70000 },
      { path: "containerPort", message: "expected an integer from 1 to 65535, got 70000" },
    ],
    [
      "an empty cluster",
      { cluster: "" },
      { path: "cluster", message: 'expected a non-empty string, got ""' },
    ],
    [
      "a missing task definition",
      { taskDefinition: undefined },
      { path: "taskDefinition", message: "expected a non-empty string, got undefined" },
    ],
    [
      "an unknown queue order",
      { order: "shortest-first" },
      { path: "order", message: 'expected one of "largest-first", "as-given", got "shortest-first"' },
    ],
    [
      "a segment id with a slash",
      { segments: [{ id: "a/b", input: { path: "/x" } }] },
      { path: "segments[0].id", message: "expected 1 to 100 letters, digits, '.', '_' or '-', got \"a/b\"" },
    ],
    [
      "an input that is neither path, url nor s3",
      { segments: [{ id: "a", input: {} }] },
      { path: "segments[0].input", message: "expected { path }, { url } or { s3 }, got an object" },
    ],
    [
      "a non-http url",
      { segments: [{ id: "a", input: { url: "ftp://x/y" } }] },
      { path: "segments[0].input.url", message: 'expected an http(s) URL, got "ftp://x/y"' },
    ],
    [
      "an output name with a directory",
      { segments: [{ id: "a", input: { path: "/x" }, outputName: "../a" }] },
      { path: "segments[0].outputName", message: 'expected a plain file name, got "../a"' },
    ],
    [
      "a negative segment weight",
      { segments: [{ id: "a", input: { path: "/x" }, weight: -1 }] },
      { path: "segments[0].weight", message: "expected a number ≥ 0, got -1" },
    ],
    [
      "an unknown launch type",
      { launch: { type: "LAMBDA" } },
      {
        path: "launch.type",
        message: 'expected "FARGATE" or "FARGATE_SPOT" or "EC2" or "CAPACITY_PROVIDER", got "LAMBDA"',
      },
    ],
    [
      "an empty capacity provider strategy",
      { launch: { type: "CAPACITY_PROVIDER", capacityProviderStrategy: [] } },
      {
        path: "launch.capacityProviderStrategy",
        message: "expected an array of 1 to 20 objects, got an array of 0",
      },
    ],
    [
      "an empty subnet list",
      { network: { subnets: [] } },
      { path: "network.subnets", message: "expected an array of 1 to 16 items, got an array of 0" },
    ],
    [
      "six security groups",
      { network: { subnets: ["s"], securityGroups: ["1", "2", "3", "4", "5", "6"] } },
      { path: "network.securityGroups", message: "expected an array of at most 5 items, got an array of 6" },
    ],
    [
      "cpu as a fraction",
      { overrides: { cpu: 0.5 } },
      { path: "overrides.cpu", message: "expected an integer ≥ 1, got 0.5" },
    ],
    [
      "a poll interval of 1 ms",
      { pollIntervalMs: 1 },
      { path: "pollIntervalMs", message: "expected a number ≥ 50, got 1" },
    ],
    [
      "zero segment attempts",
      { retry: { segmentAttempts: 0 } },
      { path: "retry.segmentAttempts", message: "expected an integer from 1 to 100, got 0" },
    ],
    [
      "a negative timeout",
      { timeouts: { httpMs: -1 } },
      { path: "timeouts.httpMs", message: "expected a number ≥ 1, got -1" },
    ],
    [
      "a typo in the liveness checks",
      { liveness: { failure: 2 } },
      {
        path: "liveness.failure",
        message: 'expected a known key (did you mean "failures"?), got "failure"',
      },
    ],
    [
      "zero failed liveness checks before giving a task up",
      { liveness: { failures: 0 } },
      { path: "liveness.failures", message: "expected an integer from 1 to 100, got 0" },
    ],
    [
      "a liveness check allowed 10 ms",
      { liveness: { timeoutMs: 10 } },
      { path: "liveness.timeoutMs", message: "expected a number from 100 to 60000, got 10" },
    ],
    [
      "a Spot discount of 100 %",
      { pricing: { spotDiscount: 1 } },
      { path: "pricing.spotDiscount", message: "expected a number ≥ 0 and < 1, got 1" },
    ],
    [
      "a signal that is not an AbortSignal",
      { signal: {} },
      { path: "signal", message: "expected an AbortSignal, got an object" },
    ],
    [
      "a logger without methods",
      { logger: {} },
      {
        path: "logger",
        message: "expected an object with debug, info, warn and error functions, got an object",
      },
    ],
    [
      "an AWS endpoint that is not a URL",
      { aws: { endpoint: "localhost" } },
      { path: "aws.endpoint", message: 'expected an http(s) URL, got "localhost"' },
    ],
    [
      "a startedBy with spaces",
      { startedBy: "my runner" },
      { path: "startedBy", message: "expected 1 to 128 letters, digits, '-', '/' or '_', got \"my runner\"" },
    ],
    [
      "a reserved aws: tag",
      { tags: { "AWS:owner": "me" } },
      { path: "tags", message: 'expected a tag key without the reserved "aws:" prefix, got "AWS:owner"' },
    ],
  ])("report %s", (_name, patch, problem) => {
    expect(problemsWith(patch)).toEqual([problem]);
  });

  it.each<[string, Record<string, unknown>, { path: string; message: string }]>([
    [
      "duplicate segment ids",
      {
        segments: [
          { id: "a", input: { path: "/x" } },
          { id: "a", input: { path: "/y" } },
        ],
      },
      { path: "segments[1].id", message: 'expected an id not used by another segment, got "a"' },
    ],
    [
      "duplicate output names",
      {
        segments: [
          { id: "a", input: { path: "/x" }, outputName: "o.bin" },
          { id: "b", input: { path: "/y" }, outputName: "o.bin" },
        ],
      },
      {
        path: "segments[1].outputName",
        message: 'expected an output name not used by another segment, got "o.bin"',
      },
    ],
    [
      "an output that would overwrite an input",
      { outputDir: "/in", segments: [{ id: "a", input: { path: "/in/a.mp4" } }] },
      {
        path: "segments[0]",
        message:
          'expected an output path that is not an input path (set outputDir or outputName), got "/in/a.mp4"',
      },
    ],
    [
      "a public endpoint without a public IP",
      { network: { subnets: ["s"], endpoint: "public" } },
      { path: "network.endpoint", message: 'expected "private" unless assignPublicIp is true, got "public"' },
    ],
    [
      "a public endpoint with default-VPC subnets but no public IP",
      { network: { assignPublicIp: false, endpoint: "public" } },
      { path: "network.endpoint", message: 'expected "private" unless assignPublicIp is true, got "public"' },
    ],
    [
      "GPUs on Fargate (the default launch)",
      { overrides: { gpu: 1 } },
      {
        path: "overrides.gpu",
        message: "expected no GPUs on Fargate (use EC2 or a capacity provider), got 1",
      },
    ],
    [
      "GPUs on Fargate Spot",
      { launch: { type: "FARGATE_SPOT" }, overrides: { gpu: 2 } },
      {
        path: "overrides.gpu",
        message: "expected no GPUs on Fargate (use EC2 or a capacity provider), got 2",
      },
    ],
    [
      "a reserved environment name",
      { overrides: { environment: { FANOUT_TOKEN: "x" } } },
      {
        path: "overrides.environment.FANOUT_TOKEN",
        message:
          'expected a name other than FANOUT_TOKEN, FANOUT_TLS_CERT, FANOUT_TLS_KEY, FANOUT_TOKEN_SHA256, FANOUT_RUN_ID, FANOUT_INSECURE_PLAIN_HTTP (set by the run), got "FANOUT_TOKEN"',
      },
    ],
  ])("report a cross-field rule: %s", (_name, patch, problem) => {
    expect(problemsWith(patch)).toEqual([problem]);
  });

  it.each([
    ["no network at all", { network: undefined }],
    ["a network without subnets", { network: { securityGroups: ["sg-1"] } }],
    ["a public endpoint with default-VPC subnets", { network: { endpoint: "public" } }],
    [
      "a public endpoint with a public IP",
      { network: { subnets: ["s"], assignPublicIp: true, endpoint: "public" } },
    ],
    [
      "GPUs on an EC2 capacity provider",
      {
        launch: {
          type: "CAPACITY_PROVIDER",
          capacityProviderStrategy: [{ capacityProvider: "gpu", weight: 1 }],
        },
        overrides: { gpu: 1 },
      },
    ],
    ["GPUs on EC2", { launch: { type: "EC2" }, overrides: { gpu: 1 } }],
  ])("accept %s", (_name, patch) => {
    expect(problemsWith(patch)).toEqual([]);
  });

  it("report every problem together: types, unknown keys and cross-field rules", () => {
    const problems = problemsWith({
      cluster: "",
      maxParallelTasks: -1,
      segments: [{ id: "", input: {} }],
      network: { subnets: ["s"], endpoint: "public", securityGroup: ["sg-1"] },
      overrides: { gpu: 1 },
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        "cluster",
        "maxParallelTasks",
        "network.endpoint",
        "network.securityGroup",
        "overrides.gpu",
        "segments[0].id",
        "segments[0].input",
      ].sort(),
    );
    for (const p of problems) expect(p.message).toMatch(/^expected .+, got /);
  });

  it("reject invalid options with one ValidationError before any AWS call", async () => {
    // The endpoint is a closed port: reaching AWS would fail differently.
    const error = await executeParallelBatches({
      ...valid,
      outputdir: "/x",
      aws: { endpoint: "http://127.0.0.1:9" },
    } as unknown as BatchRunOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("INVALID_OPTIONS");
    expect((error as ValidationError).message).toContain(
      'outputdir: expected a known key (did you mean "outputDir"?), got "outputdir"',
    );
  });
});
