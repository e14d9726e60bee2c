/**
 * The real stack for a benchmark or a fault-matrix row: a local ECS endpoint whose tasks run the
 * real worker bin (from source, so a stale build can never be measured), a task definition
 * registered through the real SDK, and synthetic segment inputs on disk.
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FaultConfig, type LocalEcs, type LocalEcsConfig, startLocalEcs } from "@ecs-fanout/local";
import type { Segment } from "ecs-fanout";
import { type EcsClient, ecsClient, ecsSdk } from "./aws.js";
import { repoRoot, workerBinSource } from "./paths.js";

export const MARKER_ENV = "ECS_FANOUT_TEST_MARKER";

export interface StackOptions {
  faults?: FaultConfig;
  timings?: LocalEcsConfig["timings"];
  /** Extra worker environment in the task definition. */
  workerEnv?: Record<string, string>;
  /** Directory for task logs (local's logDir). */
  logDir?: string;
  cluster?: string;
  family?: string;
  /** A bundled worker (bundleWorker) to run with plain node; default: the bin from source via tsx. */
  workerBundle?: string;
  /** Enforce AWS's documented API token buckets (ThrottlingException when exceeded). @default false */
  rateLimits?: boolean;
  /**
   * Run each task as a runc container of this image (local's `runtime: "container"`, from
   * buildah's storage: scripts/build-image.sh) instead of the worker bin as a process.
   */
  containerImage?: string;
  /** The task definition's cpu and memory (Fargate units and MiB). @default { cpu: "1024", memory: "2048" } */
  size?: { cpu: string; memory: string };
}

export interface Stack {
  local: LocalEcs;
  ecs: EcsClient;
  cluster: string;
  taskDefinition: string;
  /** Unique per stack; every worker process carries it as ECS_FANOUT_TEST_MARKER. */
  marker: string;
  network: { subnets: string[] };
  close(): Promise<void>;
}

/** How a task's container is played locally: the worker bin from source via tsx. */
export function workerImageMapping(bundle?: string): NonNullable<LocalEcsConfig["images"]>[number] {
  return {
    match: "*",
    command: bundle
      ? ["node", bundle]
      : ["node", "--conditions=ecs-fanout-source", "--import", "tsx", workerBinSource],
    cwd: repoRoot,
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cluster = options.cluster ?? "fanout";
  const marker = randomUUID();
  const local = await startLocalEcs({
    clusters: [cluster],
    ...(options.containerImage
      ? { runtime: "container" as const }
      : { images: [workerImageMapping(options.workerBundle)] }),
    ...(options.timings ? { timings: options.timings } : {}),
    ...(options.logDir ? { logDir: options.logDir } : {}),
    ...(options.rateLimits ? { rateLimits: true } : {}),
  });
  const ecs = ecsClient(local.clientConfig);
  const family = options.family ?? "fanout-worker";
  const environment = Object.entries({
    FANOUT_ENABLE_SYNTHETIC: "1",
    [MARKER_ENV]: marker,
    ...options.workerEnv,
  }).map(([name, value]) => ({ name, value }));
  try {
    const registered = await ecs.send(
      new ecsSdk.RegisterTaskDefinitionCommand({
        family,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: options.size?.cpu ?? "1024",
        memory: options.size?.memory ?? "2048",
        // awslogs on Fargate needs an execution role (AWS and the local endpoint refuse it without).
        executionRoleArn: `arn:aws:iam::${local.accountId}:role/ecsTaskExecutionRole`,
        containerDefinitions: [
          {
            name: "worker",
            image: options.containerImage ?? "ecs-fanout-worker:local",
            essential: true,
            portMappings: [{ containerPort: 8080, protocol: "tcp" }],
            environment,
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": `/ecs/${family}`,
                "awslogs-region": local.region,
                "awslogs-stream-prefix": "fanout",
                "awslogs-create-group": "true",
              },
            },
          },
        ],
      }),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new Error("RegisterTaskDefinition returned no ARN");
    // Faults start after set-up, so our own registration is never throttled.
    if (options.faults) local.setFaults(options.faults);
    return {
      local,
      ecs,
      cluster,
      taskDefinition: arn,
      marker,
      network: { subnets: ["subnet-0defa00000000001a"] },
      async close() {
        ecs.destroy();
        await local.close();
      },
    };
  } catch (error) {
    ecs.destroy();
    await local.close();
    throw error;
  }
}

export interface SyntheticSegmentSpec {
  id: string;
  ms: number;
  /** Output size. @default 4096 */
  bytes?: number;
  /** Input size (a size hint a scheduler could use). @default 1024 */
  inputBytes?: number;
  /** Extra synthetic params (fail, faults, …). */
  params?: Record<string, unknown>;
}

/** Writes one input file per segment and returns core segments running the synthetic processor. */
export async function syntheticSegments(
  dir: string,
  specs: readonly SyntheticSegmentSpec[],
): Promise<Segment[]> {
  await mkdir(dir, { recursive: true });
  return Promise.all(
    specs.map(async (spec) => {
      const input = path.join(dir, `${spec.id}.in`);
      await writeFile(input, Buffer.alloc(spec.inputBytes ?? 1024, spec.id));
      return {
        id: spec.id,
        input: { path: input },
        outputName: `${spec.id}.bin`,
        params: {
          processor: "synthetic",
          ms: spec.ms,
          bytes: spec.bytes ?? 4096,
          seed: spec.id,
          ...spec.params,
        },
      } satisfies Segment;
    }),
  );
}
