import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { parseOptions } from "./options/check.js";
import {
  DEFAULT_MODEL_CACHE_HOST_PATH,
  type WorkerTaskDefinitionOptions,
  workerTaskDefinitionSchema,
} from "./options/task-definition.js";

const MODELS_VOLUME = "models";
const MODELS_MOUNT = "/models";

/**
 * A ready RegisterTaskDefinition input for the worker: Fargate (awsvpc) for CPU work, or EC2 with
 * GPU resource requirements for upscaling. Logs go to awslogs with a stream prefix so failures
 * can quote the task's log tail.
 */
export function workerTaskDefinition(given: WorkerTaskDefinitionOptions): RegisterTaskDefinitionCommandInput {
  const options = parseOptions(workerTaskDefinitionSchema, given, "worker task definition options");
  const gpu = options.gpu;
  const compatibility = options.compatibility ?? (gpu === 0 ? "FARGATE" : "EC2");
  const fargate = compatibility === "FARGATE";
  const managed = compatibility === "MANAGED_INSTANCES";
  // A host volume outlives the task (weights cached by one task serve the next); EC2 only.
  const modelCache = !fargate && !managed;
  const name = options.containerName;
  const port = options.containerPort;
  const networkMode = options.networkMode ?? (fargate || managed ? "awsvpc" : "bridge");
  const stopTimeout = options.stopTimeoutSeconds;
  const environment: Record<string, string> = {
    PORT: String(port),
    ...(modelCache ? { FANOUT_MODEL_DIR: MODELS_MOUNT } : {}),
    FANOUT_SLOTS: String(options.slots),
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
    runtimePlatform: { cpuArchitecture: options.architecture, operatingSystemFamily: "LINUX" },
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
            "awslogs-stream-prefix": options.logStreamPrefix,
            ...(options.createLogGroup ? { "awslogs-create-group": "true" } : {}),
          },
        },
      },
    ],
    ...(Object.keys(options.tags).length === 0
      ? {}
      : { tags: Object.entries(options.tags).map(([key, value]) => ({ key, value })) }),
  };
}

/** The log region when none is given: the environment's, else the image's ECR region, else us-east-1. */
function defaultLogRegion(image: string): string {
  const env = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (env !== undefined && env.length > 0) return env;
  const ecr = /\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(image);
  return ecr?.[1] ?? "us-east-1";
}
