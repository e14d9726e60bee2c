import { describe, expect, it } from "vitest";
import {
  type BatchRunOptions,
  executeParallelBatches,
  ValidationError,
  validateRunOptions,
} from "../../src/index.js";

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

const withPatch = (patch: Record<string, unknown>) => ({ ...valid, ...patch }) as unknown as BatchRunOptions;

describe("validateRunOptions", () => {
  it("accepts a minimal valid run", () => {
    expect(validateRunOptions(valid)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["no segments", { segments: [] }, "segments"],
    ["a segment id with a slash", { segments: [{ id: "a/b", input: { path: "/x" } }] }, "segments[0].id"],
    [
      "duplicate ids",
      {
        segments: [
          { id: "a", input: { path: "/x" } },
          { id: "a", input: { path: "/y" } },
        ],
      },
      "segments[1].id",
    ],
    ["an input that is neither path nor url", { segments: [{ id: "a", input: {} }] }, "segments[0].input"],
    ["a non-http url", { segments: [{ id: "a", input: { url: "ftp://x/y" } }] }, "segments[0].input.url"],
    [
      "an output name with a directory",
      { segments: [{ id: "a", input: { path: "/x" }, outputName: "../a" }] },
      "segments[0].outputName",
    ],
    [
      "an output that would overwrite an input",
      { outputDir: "/in", segments: [{ id: "a", input: { path: "/in/a.mp4" } }] },
      "segments[0]",
    ],
    ["an empty cluster", { cluster: "" }, "cluster"],
    ["a missing task definition", { taskDefinition: undefined }, "taskDefinition"],
    ["zero tasks", { maxParallelTasks: 0 }, "maxParallelTasks"],
    ["an unknown queue order", { order: "shortest-first" }, "order"],
    [
      "a negative segment weight",
      { segments: [{ id: "a", input: { path: "/x" }, weight: -1 }] },
      "segments[0].weight",
    ],
    ["fractional segments per batch", { segmentsPerBatch: 1.5 }, "segmentsPerBatch"],
    ["a port out of range", { containerPort: 70000 }, "containerPort"],
    ["an unknown launch type", { launch: { type: "LAMBDA" } }, "launch.type"],
    [
      "an empty capacity provider strategy",
      { launch: { type: "CAPACITY_PROVIDER", capacityProviderStrategy: [] } },
      "launch.capacityProviderStrategy",
    ],
    ["an empty subnet list", { network: { subnets: [] } }, "network.subnets"],
    [
      "a public endpoint with default-VPC subnets but no public IP",
      { network: { assignPublicIp: false, endpoint: "public" } },
      "network.endpoint",
    ],
    [
      "a public endpoint without a public IP",
      { network: { subnets: ["s"], endpoint: "public" } },
      "network.endpoint",
    ],
    [
      "six security groups",
      { network: { subnets: ["s"], securityGroups: ["1", "2", "3", "4", "5", "6"] } },
      "network.securityGroups",
    ],
    ["GPUs on Fargate", { overrides: { gpu: 1 } }, "overrides.gpu"],
    ["cpu as a fraction", { overrides: { cpu: 0.5 } }, "overrides.cpu"],
    [
      "overriding the run token",
      { overrides: { environment: { FANOUT_TOKEN: "x" } } },
      "overrides.environment.FANOUT_TOKEN",
    ],
    ["a reserved aws: tag", { tags: { "AWS:owner": "me" } }, "tags"],
    ["a startedBy with spaces", { startedBy: "my runner" }, "startedBy"],
    ["a poll interval of 1 ms", { pollIntervalMs: 1 }, "pollIntervalMs"],
    ["zero segment attempts", { retry: { segmentAttempts: 0 } }, "retry.segmentAttempts"],
    ["a negative timeout", { timeouts: { httpMs: -1 } }, "timeouts.httpMs"],
    ["a Spot discount of 100 %", { pricing: { spotDiscount: 1 } }, "pricing.spotDiscount"],
    ["a signal that is not an AbortSignal", { signal: {} }, "signal"],
    ["a logger without methods", { logger: {} }, "logger"],
    ["an endpoint that is not a URL", { aws: { endpoint: "localhost" } }, "aws.endpoint"],
  ])("reports %s", (_name, patch, path) => {
    const problems = validateRunOptions(withPatch(patch));
    expect(problems.map((p) => p.path)).toContain(path);
    for (const p of problems) expect(p.message).toMatch(/^expected .+, got /);
  });

  it.each([
    ["no network at all", { network: undefined }],
    ["a network without subnets", { network: { securityGroups: ["sg-1"] } }],
    ["a public endpoint with default-VPC subnets", { network: { endpoint: "public" } }],
  ])("accepts a Fargate run with %s (the default VPC's subnets)", (_name, patch) => {
    expect(validateRunOptions(withPatch(patch))).toEqual([]);
  });

  it("accepts GPUs on EC2 capacity providers", () => {
    const ok = withPatch({
      launch: {
        type: "CAPACITY_PROVIDER",
        capacityProviderStrategy: [{ capacityProvider: "gpu", weight: 1 }],
      },
      network: undefined,
      overrides: { gpu: 1 },
    });
    expect(validateRunOptions(ok)).toEqual([]);
  });

  it("reports every problem together", () => {
    const problems = validateRunOptions(
      withPatch({ cluster: "", maxParallelTasks: -1, segments: [{ id: "", input: {} }] }),
    );
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(["cluster", "maxParallelTasks", "segments[0].id", "segments[0].input"]),
    );
  });

  it("rejects invalid options before any AWS call, with one ValidationError", async () => {
    const error = await executeParallelBatches(
      withPatch({ cluster: "", aws: { endpoint: "http://127.0.0.1:9" } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("INVALID_OPTIONS");
    expect((error as ValidationError).message).toContain("cluster: expected a non-empty string");
  });

  it("reports unknown option keys at every level we own, with the closest known name", () => {
    const problems = validateRunOptions(
      withPatch({
        maxParalelTasks: 4,
        retry: { segmentAttemps: 2 },
        timeouts: { segmentMs: 1000, bogus: 5 },
        network: { subnets: ["subnet-1"], securityGroup: ["sg-1"] },
        segments: [{ id: "a", input: { path: "/in/a.mp4" }, wieght: 3 }],
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "maxParalelTasks", message: 'unknown option (did you mean "maxParallelTasks"?)' },
        { path: "retry.segmentAttemps", message: 'unknown option (did you mean "retry.segmentAttempts"?)' },
        { path: "timeouts.bogus", message: "unknown option" },
        { path: "network.securityGroup", message: 'unknown option (did you mean "network.securityGroups"?)' },
        { path: "segments[0].wieght", message: 'unknown option (did you mean "segments[0].weight"?)' },
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it("accepts every documented spelling: launch variants, AWS shorthands, clients", () => {
    for (const patch of [
      { launch: { type: "FARGATE_SPOT", fallbackToOnDemand: false } },
      { launch: "EC2", region: "eu-west-1", endpoint: "http://127.0.0.1:9" },
      { clientConfig: { region: "eu-west-1" }, pricing: { spotDiscount: 0.5, minimumBilledSeconds: 60 } },
      { apiRate: { readPerSecond: 10, readBurst: 20 }, retry: { downloadResumes: 2 } },
    ]) {
      expect(validateRunOptions(withPatch(patch))).toEqual([]);
    }
  });

  it("an unknown key is a ValidationError before any AWS call", async () => {
    const error = await executeParallelBatches(
      withPatch({ outputdir: "/x", aws: { endpoint: "http://127.0.0.1:9" } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(
      'outputdir: unknown option (did you mean "outputDir"?)',
    );
  });
});
