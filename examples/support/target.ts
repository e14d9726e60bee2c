/**
 * Where an example's tasks run. Real AWS when ECS_FANOUT_CLUSTER is set; otherwise the local ECS
 * endpoint in this process, with the worker task definition registered for you.
 *
 *   ECS_FANOUT_CLUSTER          cluster name or ARN (setting it selects real AWS)
 *   ECS_FANOUT_TASK_DEFINITION  worker task definition (default ecs-fanout-worker, GPU: ecs-fanout-worker-gpu)
 *   ECS_FANOUT_SUBNETS          comma-separated subnets for awsvpc tasks (default: the default VPC's)
 *   ECS_FANOUT_SECURITY_GROUPS  comma-separated security groups
 *   ECS_FANOUT_PUBLIC_IP=1      give tasks a public IP and reach them over it (orchestrator outside the VPC)
 *   ECS_FANOUT_GPU_PROVIDER     GPU capacity provider name (gpu-upscale only)
 *   AWS_REGION / AWS_PROFILE    the usual SDK configuration
 */
import { openLocalTarget } from "@ecs-fanout/cli";
import type { AwsConfig, LaunchOptions, NetworkOptions } from "ecs-fanout";

export interface ExampleTarget {
  kind: "local" | "aws";
  cluster: string;
  taskDefinition: string;
  launch: LaunchOptions;
  network: NetworkOptions | undefined;
  aws: AwsConfig | undefined;
  /** Extra worker environment (e.g. the GPU stand-in on the local endpoint). */
  environment: Record<string, string>;
  close(): Promise<void>;
}

const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export async function exampleTarget(options: { gpu?: boolean; tasks?: number } = {}): Promise<ExampleTarget> {
  const env = process.env;
  if (env.ECS_FANOUT_CLUSTER) {
    const subnets = list(env.ECS_FANOUT_SUBNETS);
    const provider = env.ECS_FANOUT_GPU_PROVIDER;
    console.log(`using AWS: cluster ${env.ECS_FANOUT_CLUSTER}`);
    return {
      kind: "aws",
      cluster: env.ECS_FANOUT_CLUSTER,
      taskDefinition:
        env.ECS_FANOUT_TASK_DEFINITION ?? (options.gpu ? "ecs-fanout-worker-gpu" : "ecs-fanout-worker"),
      launch:
        options.gpu && provider
          ? {
              type: "CAPACITY_PROVIDER",
              capacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }],
            }
          : options.gpu
            ? { type: "EC2" }
            : { type: "FARGATE" },
      network: subnets
        ? {
            subnets,
            securityGroups: list(env.ECS_FANOUT_SECURITY_GROUPS),
            assignPublicIp: env.ECS_FANOUT_PUBLIC_IP === "1",
          }
        : undefined,
      aws: undefined,
      environment: {},
      close: async () => {},
    };
  }
  const local = await openLocalTarget({
    cluster: "ecs-fanout",
    gpuInstances: options.gpu ? (options.tasks ?? 2) : undefined,
  });
  console.log(`no ECS_FANOUT_CLUSTER: ${local.notice}`);
  return {
    kind: "local",
    cluster: local.cluster,
    taskDefinition: options.gpu ? local.gpuTaskDefinition! : local.taskDefinition,
    launch: options.gpu
      ? {
          type: "CAPACITY_PROVIDER",
          capacityProviderStrategy: [{ capacityProvider: local.gpuProvider!, weight: 1 }],
        }
      : { type: "FARGATE" },
    // No subnets: core uses the (local) default VPC's, exactly as it would on AWS.
    network: undefined,
    aws: local.aws,
    environment: {},
    close: () => local.close(),
  };
}
