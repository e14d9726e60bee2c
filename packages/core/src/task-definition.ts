import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";
import { Problems } from "./util/problems.js";

/** Options of {@link workerTaskDefinition}. */
export interface WorkerTaskDefinitionOptions {
  /** Container image of the worker (e.g. an ECR URI of container/Dockerfile.cpu or .gpu). */
  readonly image: string;
  /** Task CPU units (1024 = 1 vCPU), as a number or RunTask-style string. Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384. */
  readonly cpu: number | string;
  /** Task memory in MiB (number or string); on Fargate it must fit the CPU size. */
  readonly memory: number | string;
  /** GPUs for the worker container. Any value > 0 makes an EC2 task definition (no GPUs on Fargate). @default 0 */
  readonly gpu?: number;
  /**
   * What the definition is validated for (`requiresCompatibilities`). `MANAGED_INSTANCES`: ECS
   * Managed Instances (CPU or GPU), awsvpc or host networking, no host volumes (so no model
   * cache), no ephemeral storage setting.
   * @default "FARGATE" without GPUs, "EC2" with
   */
  readonly compatibility?: "FARGATE" | "EC2" | "MANAGED_INSTANCES";
  /** CloudWatch Logs group for awslogs. */
  readonly logGroup: string;
  /**
   * Region of the log group.
   * @default AWS_REGION, else AWS_DEFAULT_REGION, else the region of an ECR image URI, else "us-east-1"
   */
  readonly logRegion?: string;
  /**
   * Let the awslogs driver create the log group when it does not exist (`awslogs-create-group`;
   * the execution role then needs `logs:CreateLogGroup`). Without it a missing group makes every
   * task stop with TaskFailedToStart.
   * @default true
   */
  readonly createLogGroup?: boolean;
  /** awslogs stream prefix (streams are `prefix/container/taskId`, which the run reads on failures). @default "worker" */
  readonly logStreamPrefix?: string;
  /** @default "ecs-fanout-worker" ("ecs-fanout-worker-gpu" with GPUs) */
  readonly family?: string;
  /** @default "worker" */
  readonly containerName?: string;
  /** @default 8080 */
  readonly containerPort?: number;
  /** Role ECS uses to pull the image and write logs (required on Fargate with ECR or awslogs). @default none */
  readonly executionRoleArn?: string;
  /** Role the worker itself runs as. @default none */
  readonly taskRoleArn?: string;
  /** @default "X86_64" */
  readonly architecture?: "X86_64" | "ARM64";
  /** @default "awsvpc" on Fargate and Managed Instances, "bridge" (dynamic host port) for GPU tasks on EC2 */
  readonly networkMode?: "awsvpc" | "bridge" | "host";
  /** Concurrent jobs per worker (FANOUT_SLOTS); pass the same as the run's slotsPerTask. @default 1 */
  readonly slots?: number;
  /** Seconds between SIGTERM and SIGKILL (Fargate: 2–120). The worker drains within 5 s less. @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** Fargate ephemeral storage, 21–200 GiB. @default 20 (AWS's included amount) */
  readonly ephemeralStorageGiB?: number;
  /**
   * GPU tasks only: the instance directory mounted at `/models` (the worker's FANOUT_MODEL_DIR),
   * so model weights downloaded by one task are there for the next task on the same instance
   * instead of being fetched again. Must be an absolute path; the directory must be writable by
   * the container's user (the GPU image runs as uid 1000).
   * @default "/opt/ecs-fanout/models"
   */
  readonly modelCacheHostPath?: string;
  /** Extra worker environment (e.g. FANOUT_SEEDVR2_CMD). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Tags of the task definition itself. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Where GPU workers' model weights are kept on the instance unless `modelCacheHostPath` says otherwise. */
export const DEFAULT_MODEL_CACHE_HOST_PATH = "/opt/ecs-fanout/models";
const MODELS_VOLUME = "models";
const MODELS_MOUNT = "/models";

const FARGATE_MEMORY: Readonly<Record<number, { min: number; max: number; step: number } | number[]>> = {
  256: [512, 1024, 2048],
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** Why a CPU/memory pair is not a Fargate size, or undefined when it is. */
export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
  const allowed = FARGATE_MEMORY[cpu];
  if (allowed === undefined) return `cpu one of ${Object.keys(FARGATE_MEMORY).join(", ")}, got ${cpu}`;
  const ok = Array.isArray(allowed)
    ? allowed.includes(memory)
    : memory >= allowed.min && memory <= allowed.max && (memory - allowed.min) % allowed.step === 0;
  if (ok) return undefined;
  const range = Array.isArray(allowed)
    ? allowed.join(", ")
    : `${allowed.min}–${allowed.max} in steps of ${allowed.step}`;
  return `memory for ${cpu} CPU units of ${range} MiB, got ${memory}`;
}

/**
 * A ready RegisterTaskDefinition input for the worker: Fargate (awsvpc) for CPU work, or EC2 with
 * GPU resource requirements for upscaling. Logs go to awslogs with a stream prefix so failures
 * can quote the task's log tail.
 */
export function workerTaskDefinition(given: WorkerTaskDefinitionOptions): RegisterTaskDefinitionCommandInput {
  const p = new Problems();
  if (typeof given !== "object" || given === null) {
    p.add("options", "an object { image, cpu, memory, logGroup }", given);
    throw new ValidationError("worker task definition options", p.list);
  }
  const options = { ...given, cpu: wholeNumber(given.cpu), memory: wholeNumber(given.memory) };
  p.nonEmptyString(options.image, "image");
  p.nonEmptyString(options.logGroup, "logGroup");
  if (options.logRegion !== undefined) p.nonEmptyString(options.logRegion, "logRegion");
  if (options.createLogGroup !== undefined)
    p.check(
      typeof options.createLogGroup === "boolean",
      "createLogGroup",
      "true or false",
      options.createLogGroup,
    );
  p.integer(options.cpu, "cpu", 128, 196608);
  p.integer(options.memory, "memory", 128);
  p.integer(options.gpu, "gpu", 0, 16);
  p.integer(options.containerPort, "containerPort", 1, 65535);
  p.integer(options.slots, "slots", 1, 64);
  const gpu = options.gpu ?? 0;
  if (options.compatibility !== undefined)
    p.check(
      ["FARGATE", "EC2", "MANAGED_INSTANCES"].includes(options.compatibility),
      "compatibility",
      '"FARGATE", "EC2" or "MANAGED_INSTANCES"',
      options.compatibility,
    );
  const compatibility = options.compatibility ?? (gpu === 0 ? "FARGATE" : "EC2");
  const managed = compatibility === "MANAGED_INSTANCES";
  if (compatibility === "FARGATE")
    p.check(gpu === 0, "gpu", "0 on Fargate (no GPUs; use EC2 or MANAGED_INSTANCES)", options.gpu);
  const fargate = compatibility === "FARGATE";
  p.integer(options.stopTimeoutSeconds, "stopTimeoutSeconds", 2, fargate ? 120 : 86400);
  if (options.ephemeralStorageGiB !== undefined) {
    p.check(
      fargate,
      "ephemeralStorageGiB",
      "no ephemeralStorageGiB outside Fargate",
      options.ephemeralStorageGiB,
    );
    p.integer(options.ephemeralStorageGiB, "ephemeralStorageGiB", 21, 200);
  }
  if (options.modelCacheHostPath !== undefined) {
    p.check(
      !fargate && !managed,
      "modelCacheHostPath",
      managed
        ? "no modelCacheHostPath on Managed Instances (host volumes are not valid there)"
        : "no modelCacheHostPath for Fargate tasks (no host volumes; set gpu for an EC2 task)",
      options.modelCacheHostPath,
    );
    p.check(
      typeof options.modelCacheHostPath === "string" && options.modelCacheHostPath.startsWith("/"),
      "modelCacheHostPath",
      "an absolute path",
      options.modelCacheHostPath,
    );
  }
  if (fargate && typeof options.cpu === "number" && typeof options.memory === "number") {
    const problem =
      Number.isInteger(options.cpu) && Number.isInteger(options.memory)
        ? fargateSizeProblem(options.cpu, options.memory)
        : undefined;
    if (problem !== undefined) p.list.push({ path: "memory", message: `expected ${problem}` });
    if (options.networkMode !== undefined)
      p.check(options.networkMode === "awsvpc", "networkMode", '"awsvpc" on Fargate', options.networkMode);
  }
  if (managed && options.networkMode !== undefined)
    p.check(
      options.networkMode !== "bridge",
      "networkMode",
      '"awsvpc" or "host" on Managed Instances',
      options.networkMode,
    );
  if (p.list.length > 0) throw new ValidationError("worker task definition options", p.list);

  const name = options.containerName ?? "worker";
  const port = options.containerPort ?? 8080;
  const networkMode = options.networkMode ?? (fargate || managed ? "awsvpc" : "bridge");
  // A host volume outlives the task (weights cached by one task serve the next); EC2 only.
  const modelCache = !fargate && !managed;
  const stopTimeout = options.stopTimeoutSeconds ?? 30;
  const environment: Record<string, string> = {
    PORT: String(port),
    ...(modelCache ? { FANOUT_MODEL_DIR: MODELS_MOUNT } : {}),
    FANOUT_SLOTS: String(options.slots ?? 1),
    FANOUT_STOP_TIMEOUT_SECONDS: String(Math.max(1, stopTimeout - 5)),
    ...options.environment,
  };
  return {
    family:
      options.family ?? (gpu === 0 ? "ecs-fanout-worker" : `ecs-fanout-worker-gpu${managed ? "-mi" : ""}`),
    requiresCompatibilities: [compatibility],
    networkMode,
    cpu: String(options.cpu),
    memory: String(options.memory),
    runtimePlatform: { cpuArchitecture: options.architecture ?? "X86_64", operatingSystemFamily: "LINUX" },
    ...(options.executionRoleArn === undefined ? {} : { executionRoleArn: options.executionRoleArn }),
    ...(options.taskRoleArn === undefined ? {} : { taskRoleArn: options.taskRoleArn }),
    ...(options.ephemeralStorageGiB === undefined
      ? {}
      : { ephemeralStorage: { sizeInGiB: options.ephemeralStorageGiB } }),
    ...(!modelCache
      ? {}
      : {
          volumes: [
            {
              name: MODELS_VOLUME,
              host: { sourcePath: options.modelCacheHostPath ?? DEFAULT_MODEL_CACHE_HOST_PATH },
            },
          ],
        }),
    containerDefinitions: [
      {
        name,
        image: options.image,
        essential: true,
        portMappings: [
          { containerPort: port, ...(networkMode === "bridge" ? { hostPort: 0 } : {}), protocol: "tcp" },
        ],
        environment: Object.entries(environment).map(([k, v]) => ({ name: k, value: v })),
        stopTimeout,
        ...(gpu > 0
          ? {
              resourceRequirements: [{ type: "GPU", value: String(gpu) }],
            }
          : {}),
        ...(modelCache
          ? { mountPoints: [{ sourceVolume: MODELS_VOLUME, containerPath: MODELS_MOUNT, readOnly: false }] }
          : {}),
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": options.logGroup,
            "awslogs-region": options.logRegion ?? defaultLogRegion(options.image),
            "awslogs-stream-prefix": options.logStreamPrefix ?? "worker",
            ...(options.createLogGroup === false ? {} : { "awslogs-create-group": "true" }),
          },
        },
      },
    ],
    ...(options.tags === undefined
      ? {}
      : { tags: Object.entries(options.tags).map(([key, value]) => ({ key, value })) }),
  };
}

/** "2048" → 2048, so AWS-style strings work; anything else is left for validation to report. */
function wholeNumber<T>(value: T): T | number {
  return typeof value === "string" && /^[1-9][0-9]*$/.test(value) ? Number(value) : value;
}

/** The log region when none is given: the environment's, else the image's ECR region, else us-east-1. */
function defaultLogRegion(image: string): string {
  const env = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (env !== undefined && env.length > 0) return env;
  const ecr = /\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(image);
  return ecr?.[1] ?? "us-east-1";
}
