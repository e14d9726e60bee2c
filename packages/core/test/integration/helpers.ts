import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { type LocalEcs, type LocalEcsConfig, startLocalEcs } from "@ecs-fanout/local";
import { type BatchRunOptions, type FanoutEvent, MANIFEST_NAME, type Segment } from "ecs-fanout";

export const CLUSTER = "it";
/** A subnet the endpoint's account has besides the default VPC (it refuses unknown subnets, as ECS does). */
export const SUBNET = "subnet-0a11ed0000000001a";
/** Fargate needs an execution role for awslogs; locally any well-formed ARN does. */
export const EXECUTION_ROLE = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole";

/** A local ECS endpoint running the real worker bin for every image, with fast timings. */
export interface Env {
  local: LocalEcs;
  ecs: ECSClient;
  dir: string;
  inputDir: string;
  outputDir: string;
  close(): Promise<void>;
}

export async function startEnv(config: LocalEcsConfig = {}): Promise<Env> {
  const local = await startLocalEcs({
    clusters: [CLUSTER],
    subnets: [SUBNET],
    ...config,
    timings: {
      provisioningMs: 20,
      pullMs: 20,
      stopTimeoutMsScale: 0.05,
      spotNoticeMs: 1500,
      ...config.timings,
    },
  });
  // No retries, so no keep-alive either: a request on a pooled socket the endpoint is closing
  // (its 5 s idle timeout) fails with ECONNRESET, which only a retry would hide.
  const ecs = new ECSClient({
    ...local.clientConfig,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER })).catch(() => {});
  const dir = await mkdtemp(join(tmpdir(), "fanout-it-"));
  return {
    local,
    ecs,
    dir,
    inputDir: join(dir, "in"),
    outputDir: join(dir, "out"),
    close: async () => {
      ecs.destroy();
      await local.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Registers a Fargate worker task definition; `env` reaches the worker (e.g. FANOUT_ENABLE_SYNTHETIC). */
export async function registerWorker(
  env: Env,
  family: string,
  workerEnv: Record<string, string> = {},
): Promise<string> {
  const input: RegisterTaskDefinitionCommandInput = {
    family,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    executionRoleArn: EXECUTION_ROLE,
    containerDefinitions: [
      {
        name: "worker",
        image: "ecs-fanout-worker:test",
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        stopTimeout: 10,
        environment: Object.entries({
          FANOUT_STOP_TIMEOUT_SECONDS: "5",
          FANOUT_IDLE_TIMEOUT_SECONDS: "120",
          ...workerEnv,
        }).map(([name, value]) => ({ name, value })),
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/it",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "fanout",
            "awslogs-create-group": "true",
          },
        },
      },
    ],
  };
  const out = await env.ecs.send(new RegisterTaskDefinitionCommand(input));
  return out.taskDefinition?.taskDefinitionArn ?? family;
}

/** `n` small input files with distinct content. */
export async function syntheticInputs(env: Env, n: number, bytes = 4096): Promise<Segment[]> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(env.inputDir, { recursive: true });
  const segments: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const id = `seg-${String(i).padStart(3, "0")}`;
    const path = join(env.inputDir, `${id}.bin`);
    await writeFile(path, Buffer.alloc(bytes, i));
    segments.push({ id, input: { path } });
  }
  return segments;
}

/** Options every integration run shares: the local endpoint, fast polling, short backoffs. */
export function baseOptions(env: Env, taskDefinition: string, segments: Segment[]): BatchRunOptions {
  return {
    segments,
    cluster: CLUSTER,
    taskDefinition,
    outputDir: env.outputDir,
    aws: env.local.clientConfig,
    network: { subnets: [SUBNET], assignPublicIp: false },
    pollIntervalMs: 100,
    retry: { minBackoffMs: 50, maxBackoffMs: 500, launchRetries: 6 },
    timeouts: { workerReadyMs: 30_000, stopWaitMs: 15_000, missingMs: 10_000 },
    apiRate: {
      readPerSecond: 50,
      readBurst: 50,
      modifyPerSecond: 50,
      modifyBurst: 50,
      otherPerSecond: 50,
      otherBurst: 50,
    },
  };
}

/** Task ARNs ListTasks reports RUNNING in the cluster (any startedBy). */
export async function runningTaskArns(env: Env, startedBy?: string): Promise<string[]> {
  const out = await env.ecs.send(
    new ListTasksCommand({ cluster: CLUSTER, ...(startedBy ? { startedBy } : {}) }),
  );
  const arns = out.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await env.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }));
  return (described.tasks ?? []).filter((t) => t.lastStatus !== "STOPPED").map((t) => t.taskArn ?? "");
}

/** Files in the output directory (temp files included, so a leftover `.part` shows), but the run's manifest. */
export async function outputFiles(env: Env): Promise<string[]> {
  return (await readdir(env.outputDir)).filter((name) => name !== MANIFEST_NAME).sort();
}

/** Collects events by type. */
export function recorder(): {
  events: FanoutEvent[];
  onEvent(e: FanoutEvent): void;
  of<T extends FanoutEvent["type"]>(t: T): Extract<FanoutEvent, { type: T }>[];
} {
  const events: FanoutEvent[] = [];
  return {
    events,
    onEvent: (e) => events.push(e),
    of: <T extends FanoutEvent["type"]>(t: T) =>
      events.filter((e): e is Extract<FanoutEvent, { type: T }> => e.type === t),
  };
}

/**
 * What every run must end with: each good segment on disk exactly once with the sha256 the result
 * reports, nothing else in outputDir (no temp files, no failed outputs), and no task RUNNING.
 */
export async function expectCleanFinish(
  env: Env,
  segments: readonly {
    id: string;
    status: string;
    outputPath: string | undefined;
    sha256: string | undefined;
  }[],
  goodIds: readonly string[],
): Promise<void> {
  const { createHash } = await import("node:crypto");
  const { readFile } = await import("node:fs/promises");
  const { basename } = await import("node:path");
  const { expect } = await import("vitest");
  const good = segments.filter((s) => goodIds.includes(s.id));
  expect(good.map((s) => s.status)).toEqual(goodIds.map(() => "succeeded"));
  for (const s of good) {
    const bytes = await readFile(s.outputPath as string);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(s.sha256);
  }
  expect(await outputFiles(env)).toEqual(good.map((s) => basename(s.outputPath as string)).sort());
  expect(await runningTaskArns(env)).toEqual([]);
}
