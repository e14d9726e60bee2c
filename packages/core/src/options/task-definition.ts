import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { fargateSizeProblem } from "../fargate-size.js";
import { evenWhenInvalid, int, isRecord, nonEmptyString, satisfying } from "./common.js";

/** Where GPU workers' model weights are kept on the instance unless `modelCacheHostPath` says otherwise. */
export const DEFAULT_MODEL_CACHE_HOST_PATH = "/opt/ecs-fanout/models";

/** Options of workerTaskDefinition. */
export const workerTaskDefinitionSchema = z
  .strictObject({
    /** Container image of the worker (e.g. an ECR URI of container/Dockerfile.cpu or .gpu). */
    image: nonEmptyString(),
    /** Task CPU units (1024 = 1 vCPU). Fargate allows 256, 512, 1024, 2048, 4096, 8192, 16384. */
    cpu: int(128, 196_608),
    /** Task memory in MiB; on Fargate it must fit the CPU size. */
    memory: int(128),
    /** GPUs for the worker container. Any value > 0 makes an EC2 task definition (no GPUs on Fargate). @default 0 */
    gpu: int(0, 16).default(0),
    /**
     * What the definition is validated for (`requiresCompatibilities`). `MANAGED_INSTANCES`: ECS
     * Managed Instances (CPU or GPU), awsvpc or host networking, no host volumes (so no model
     * cache), no ephemeral storage setting.
     * @default "FARGATE" without GPUs, "EC2" with
     */
    compatibility: z.enum(["FARGATE", "EC2", "MANAGED_INSTANCES"]).optional(),
    /** CloudWatch Logs group for awslogs. */
    logGroup: nonEmptyString(),
    /**
     * Region of the log group.
     * @default AWS_REGION, else AWS_DEFAULT_REGION, else the region of an ECR image URI, else "us-east-1"
     */
    logRegion: nonEmptyString().optional(),
    /**
     * Let the awslogs driver create the log group when it does not exist (`awslogs-create-group`;
     * the execution role then needs `logs:CreateLogGroup`). Without it a missing group makes every
     * task stop with TaskFailedToStart.
     * @default true
     */
    createLogGroup: z.boolean().default(true),
    /** awslogs stream prefix (streams are `prefix/container/taskId`, which the run reads on failures). @default "worker" */
    logStreamPrefix: nonEmptyString().default("worker"),
    /** @default "ecs-fanout-worker" ("ecs-fanout-worker-gpu" with GPUs) */
    family: nonEmptyString().optional(),
    /** @default "worker" */
    containerName: nonEmptyString().default("worker"),
    /** @default 8080 */
    containerPort: int(1, 65535).default(8080),
    /** Role ECS uses to pull the image and write logs. Required on Fargate (the worker logs through awslogs). @default none */
    executionRoleArn: nonEmptyString().optional(),
    /** Role the worker itself runs as. @default none */
    taskRoleArn: nonEmptyString().optional(),
    /** @default "X86_64" */
    architecture: z.enum(["X86_64", "ARM64"]).default("X86_64"),
    /** @default "awsvpc" on Fargate and Managed Instances, "bridge" (dynamic host port) for GPU tasks on EC2 */
    networkMode: z.enum(["awsvpc", "bridge", "host"]).optional(),
    /** Concurrent jobs per worker (FANOUT_SLOTS); pass the same as the run's slotsPerTask. @default 1 */
    slots: int(1, 64).default(1),
    /** Seconds between SIGTERM and SIGKILL (Fargate: 2 to 120). The worker drains within 5 s less. @default 30 */
    stopTimeoutSeconds: int(2, 86_400).default(30),
    /** Fargate ephemeral storage, 21 to 200 GiB. @default 20 (AWS's included amount) */
    ephemeralStorageGiB: int(21, 200).optional(),
    /**
     * GPU tasks only: the instance directory mounted at `/models` (the worker's FANOUT_MODEL_DIR),
     * so model weights downloaded by one task are there for the next task on the same instance
     * instead of being fetched again. Must be an absolute path; the directory must be writable by
     * the container's user (the GPU image runs as uid 1000).
     * @default "/opt/ecs-fanout/models"
     */
    modelCacheHostPath: satisfying(z.string(), (p) => p.startsWith("/"), "an absolute path").optional(),
    /** Extra worker environment (e.g. FANOUT_SEEDVR2_CMD). @default {} */
    environment: z.record(nonEmptyString(), z.string()).default({}),
    /** Tags of the task definition itself. @default {} */
    tags: z.record(nonEmptyString(), z.string()).default({}),
  })
  .superRefine((o, ctx) => {
    // Runs on partly invalid values too (so every problem is reported at once): read defensively.
    if (!isRecord(o)) return;
    const issue = (path: string, expected: string, got: unknown) =>
      ctx.addIssue({ code: "custom", path: [path], message: expectedGot(expected, got) });
    if (o.compatibility === "MANAGED_INSTANCES") {
      // "not valid in Amazon ECS Managed Instances tasks": host-path volumes, ephemeralStorage;
      // the network mode must be awsvpc or host (ECS developer guide).
      if (o.networkMode === "bridge")
        issue("networkMode", '"awsvpc" or "host" on Managed Instances', o.networkMode);
      if (o.modelCacheHostPath !== undefined)
        issue(
          "modelCacheHostPath",
          "no modelCacheHostPath on Managed Instances (host volumes are not valid there)",
          o.modelCacheHostPath,
        );
      if (o.ephemeralStorageGiB !== undefined)
        issue("ephemeralStorageGiB", "no ephemeralStorageGiB outside Fargate", o.ephemeralStorageGiB);
      return;
    }
    if (o.compatibility === "FARGATE" && typeof o.gpu === "number" && o.gpu > 0)
      issue("gpu", "0 on Fargate (no GPUs; use EC2 or MANAGED_INSTANCES)", o.gpu);
    if ((typeof o.gpu === "number" && o.gpu > 0) || o.compatibility === "EC2") {
      if (o.ephemeralStorageGiB !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["ephemeralStorageGiB"],
          message: expectedGot("no ephemeralStorageGiB for EC2 (GPU) tasks", o.ephemeralStorageGiB),
        });
      return;
    }
    const fargate = (path: string, expected: string, got: unknown) =>
      ctx.addIssue({ code: "custom", path: [path], message: expectedGot(expected, got) });
    if (o.modelCacheHostPath !== undefined)
      fargate(
        "modelCacheHostPath",
        "no modelCacheHostPath for Fargate tasks (no host volumes; set gpu for an EC2 task)",
        o.modelCacheHostPath,
      );
    // The worker logs through awslogs; on Fargate only the execution role can write those logs
    // (RegisterTaskDefinition refuses the definition without one).
    if (o.executionRoleArn === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["executionRoleArn"],
        message:
          "expected an execution role ARN on Fargate (the awslogs driver writes the worker's logs with it), got none",
      });
    if (o.networkMode !== undefined && o.networkMode !== "awsvpc")
      fargate("networkMode", '"awsvpc" on Fargate', o.networkMode);
    if (typeof o.stopTimeoutSeconds === "number" && o.stopTimeoutSeconds > 120)
      fargate("stopTimeoutSeconds", "at most 120 seconds on Fargate", o.stopTimeoutSeconds);
    if (Number.isInteger(o.cpu) && Number.isInteger(o.memory)) {
      const problem = fargateSizeProblem(o.cpu, o.memory);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", path: ["memory"], message: `expected ${problem}` });
    }
  }, evenWhenInvalid);

/** Options of workerTaskDefinition, as given. */
export type WorkerTaskDefinitionOptions = z.input<typeof workerTaskDefinitionSchema>;
