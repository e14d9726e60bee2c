import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { executeParallelBatches, type Logger, NoDefaultVpcError } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  CLUSTER,
  type Env,
  expectCleanFinish,
  recorder,
  registerWorker,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

/** A logger that keeps every entry, to check what the run said. */
function keepingLogger(): Logger & { entries: { level: string; message: string; fields?: unknown }[] } {
  const entries: { level: string; message: string; fields?: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: unknown): void => {
      entries.push({ level, message, fields });
    };
  return { entries, debug: () => {}, info: at("info"), warn: at("warn"), error: at("error") };
}

describe("a Fargate run that names no subnets", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("runs in the default VPC's default subnets, with a public IP, after one look-up per run", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 4);
    const rec = recorder();
    const logger = keepingLogger();
    const { network: _given, ...options } = baseOptions(env, td, segments);
    const result = await executeParallelBatches({
      ...options,
      params: { processor: "synthetic", bytes: 2000, ms: 50 },
      maxParallelTasks: 2,
      onEvent: rec.onEvent,
      logger,
    });
    expect(result.failed).toBe(0);

    const started = rec.of("run.started")[0];
    expect(started?.network).toEqual({
      subnets: ["subnet-0defa00000000001a", "subnet-0defa00000000001b", "subnet-0defa00000000001c"],
      securityGroups: ["sg-0defa000000000001"],
      assignPublicIp: true,
      endpoint: "public",
      defaultVpc: "vpc-0defa000000000001",
    });
    // Workers were reached on their public IPs (local's publicCidr).
    for (const e of rec.of("task.ready")) expect(e.url).toMatch(/^https:\/\/127\.0\.2\.\d+:8080$/);

    const arns = result.tasks.map((t) => t.taskArn);
    expect(arns.length).toBeGreaterThan(0);
    const described = await env.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }));
    for (const task of described.tasks ?? []) {
      const subnet = task.attachments?.[0]?.details?.find((d) => d.name === "subnetId")?.value;
      expect(started?.network.subnets).toContain(subnet);
    }

    const calls = env.local.stats().calls;
    expect([calls.DescribeVpcs, calls.DescribeSubnets, calls.DescribeSecurityGroups]).toEqual([1, 1, 1]);
    expect(logger.entries.find((e) => e.message.includes("default VPC"))?.level).toBe("info");
    // The default group admits only its own members: the run says so (local does not enforce it).
    expect(
      logger.entries.some((e) => e.level === "warn" && e.message.includes("default security group")),
    ).toBe(true);
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  });

  it("fails with NoDefaultVpcError before any RunTask when the account has no default VPC", async () => {
    env = await startEnv({ defaultVpc: false });
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 2);
    const rec = recorder();
    const { network: _given, ...options } = baseOptions(env, td, segments);
    const error = await executeParallelBatches({
      ...options,
      params: { processor: "synthetic", bytes: 100 },
      onEvent: rec.onEvent,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NoDefaultVpcError);
    expect(error).toMatchObject({ code: "NO_DEFAULT_VPC", region: "us-east-1", vpcId: undefined });
    expect((error as Error).message).toMatch(/network\.subnets.*network\.securityGroups/);
    const calls = env.local.stats().calls;
    expect(calls.DescribeVpcs).toBe(1);
    expect(calls.RunTask ?? 0).toBe(0);
    expect(rec.of("run.started")).toEqual([]);
    const listed = await env.ecs.send(new ListTasksCommand({ cluster: CLUSTER }));
    expect(listed.taskArns).toEqual([]);
  });

  it("keeps the subnets it was given, with no EC2 look-up", async () => {
    env = await startEnv({ defaultVpc: false });
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 1);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", bytes: 100 },
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(0);
    expect(rec.of("run.started")[0]?.network).toMatchObject({
      subnets: ["subnet-0a11ed0000000001a"],
      defaultVpc: undefined,
    });
    expect(env.local.stats().calls.DescribeVpcs).toBeUndefined();
  });
});
