import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { type LocalEcs, type LocalEcsConfig, startLocalEcs } from "@ecs-fanout/local";
import { workerTaskDefinition } from "ecs-fanout";
import { gpuCapacityProvider, workerFamily } from "../defaults.js";
import type { Target } from "./target.js";

/**
 * A subnet the local endpoint's account has besides its default VPC, for callers that name
 * subnets explicitly (like ECS, the endpoint refuses a subnet the account does not have). Runs
 * need none: the core falls back to the endpoint's default VPC, as it does to an account's.
 */
export const LOCAL_SUBNETS = ["subnet-0a11ed0000000001a"];

/** Options of {@link openLocalTarget}. */
export interface LocalTargetOptions {
  cluster: string;
  /** Also register the GPU worker and a GPU capacity provider with this many instances. */
  gpuInstances?: number;
  port?: number;
  /** Extra image mappings (e.g. a stand-in for a GPU tool). */
  images?: LocalEcsConfig["images"];
  /** Run tasks as local processes (default) or as runc containers of a locally built image. */
  runtime?: LocalEcsConfig["runtime"];
  /**
   * The CPU worker's image. With `runtime: "container"` it must be in buildah's local storage.
   * @default "ecs-fanout/worker:local", or "localhost/ecs-fanout-worker:cpu" (scripts/build-image.sh) for containers
   */
  image?: string;
}

/** The in-process local endpoint with the worker task definitions registered. */
export interface LocalTarget extends Target {
  readonly kind: "local";
  /** The endpoint itself (for fault control, stats and leak checks). */
  readonly local: LocalEcs;
  /** The cluster the worker task definitions were registered for. */
  readonly cluster: string;
  /** The CPU worker task definition family. */
  readonly taskDefinition: string;
  readonly gpuTaskDefinition: string | undefined;
  /** The GPU capacity provider, when GPU instances were asked for. */
  readonly gpuProvider: string | undefined;
  /** Subnets a caller may give awsvpc tasks explicitly (the endpoint knows these besides its default VPC); without them the default VPC's are used. */
  readonly subnets: readonly string[];
}

/**
 * Lets awslogs create the log group on first use, as `awslogs-create-group` does on AWS: the
 * local endpoint, like ECS, refuses to start a task whose log group does not exist, and this
 * saves the CLI a CloudWatch Logs client just to create it.
 */
function creatingLogGroup(input: RegisterTaskDefinitionCommandInput): RegisterTaskDefinitionCommandInput {
  return {
    ...input,
    containerDefinitions: input.containerDefinitions?.map((c) =>
      c.logConfiguration
        ? {
            ...c,
            logConfiguration: {
              ...c.logConfiguration,
              options: { ...c.logConfiguration.options, "awslogs-create-group": "true" },
            },
          }
        : c,
    ),
  };
}

/**
 * Starts the local ECS endpoint in this process and registers the worker task definition(s)
 * with the core's own `workerTaskDefinition`, exactly as one would on AWS.
 */
export async function openLocalTarget(options: LocalTargetOptions): Promise<LocalTarget> {
  const gpu = options.gpuInstances !== undefined && options.gpuInstances > 0;
  const family = workerFamily(options.cluster, false);
  const gpuFamily = workerFamily(options.cluster, true);
  const provider = gpuCapacityProvider(options.cluster);
  const local = await startLocalEcs({
    port: options.port ?? 0,
    clusters: [options.cluster],
    subnets: LOCAL_SUBNETS,
    capacityProviders: gpu
      ? [
          {
            name: provider,
            gpusPerInstance: 1,
            instances: options.gpuInstances!,
            instanceType: "g5.xlarge",
          },
        ]
      : [],
    // Both GPU routes, as an account may have them: `--gpu` finds the Managed Instances one first.
    managedInstancesProviders: gpu
      ? [
          {
            name: `gpu-mi-${options.cluster}`,
            cluster: options.cluster,
            instanceRequirements: {
              vCpuCount: { min: 4 },
              memoryMiB: { min: 16384 },
              acceleratorManufacturers: ["nvidia"],
              acceleratorCount: { min: 1, max: 1 },
            },
          },
        ]
      : [],
    // Instances arrive two at a time, a second apart (AWS: minutes), so the wait shows.
    managedInstances: { batchSize: 2, batchDelayMs: 1000 },
    ...(options.images ? { images: options.images } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
  });
  const image =
    options.image ??
    (options.runtime === "container" ? "localhost/ecs-fanout-worker:cpu" : "ecs-fanout/worker:local");
  const ecs = new ECSClient(local.clientConfig);
  const register = (input: RegisterTaskDefinitionCommandInput) =>
    ecs.send(new RegisterTaskDefinitionCommand(creatingLogGroup(input)));
  try {
    // A short stop timeout keeps Ctrl-C snappy locally: a stopped worker drains for 5 s less.
    const common = {
      logGroup: "/ecs-fanout/local",
      logRegion: local.region,
      stopTimeoutSeconds: 10,
      // Fargate needs an execution role for awslogs; locally any well-formed ARN does.
      executionRoleArn: `arn:aws:iam::${local.accountId}:role/ecsTaskExecutionRole`,
    };
    await register(workerTaskDefinition({ family, image, cpu: 1024, memory: 2048, ...common }));
    if (gpu) {
      await register(
        workerTaskDefinition({
          family: gpuFamily,
          image: "ecs-fanout/worker-gpu:local",
          cpu: 4096,
          memory: 15_360,
          gpu: 1,
          ...common,
        }),
      );
      await register(
        workerTaskDefinition({
          family: `${gpuFamily}-mi`,
          image: "ecs-fanout/worker-gpu:local",
          cpu: 2048,
          memory: 8192,
          gpu: 1,
          compatibility: "MANAGED_INSTANCES",
          ...common,
        }),
      );
    }
  } catch (error) {
    ecs.destroy();
    await local.close();
    throw error;
  }
  return {
    kind: "local",
    notice: `using the local ECS endpoint at ${local.endpoint} (in-process; tasks are ${options.runtime === "container" ? `runc containers of ${image}` : "local processes"})`,
    local,
    cluster: options.cluster,
    taskDefinition: family,
    gpuTaskDefinition: gpu ? gpuFamily : undefined,
    gpuProvider: gpu ? provider : undefined,
    subnets: LOCAL_SUBNETS,
    aws: { region: local.region, endpoint: local.endpoint, credentials: local.clientConfig.credentials },
    clients: { ecs },
    async close() {
      ecs.destroy();
      await local.close();
    },
  };
}
