import {
  type CapacityProvider,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
} from "@aws-sdk/client-ecs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";

/** What a cluster's capacity provider is, as far as GPUs go. */
export interface ProviderKind {
  readonly name: string;
  readonly kind: "MANAGED_INSTANCES" | "EC2_AUTOSCALING" | "FARGATE";
  /** Managed Instances: On-Demand or Spot. */
  readonly capacityOptionType?: string;
  /** Why it counts as GPU capacity, or undefined when it does not. */
  readonly gpu: string | undefined;
}

const GPU_FAMILIES = /^(g\d|p\d|gr\d)/i;

/**
 * Whether a provider gives GPUs. A Managed Instances provider says so in its instance
 * requirements (accelerators asked for, or only GPU instance families allowed); an Auto Scaling
 * group provider does not describe its instances, so only its name can say it (`gpu` in it, as
 * the CloudFormation template's `gpu-<cluster>`).
 */
export function classifyProvider(p: CapacityProvider): ProviderKind {
  const name = p.name ?? "";
  if (name === "FARGATE" || name === "FARGATE_SPOT") return { name, kind: "FARGATE", gpu: undefined };
  const mi = p.managedInstancesProvider;
  if (mi || p.type === "MANAGED_INSTANCES") {
    const template = mi?.instanceLaunchTemplate;
    const req = template?.instanceRequirements;
    const allowed = req?.allowedInstanceTypes ?? [];
    const gpu =
      (req?.acceleratorCount?.min ?? 0) > 0
        ? `asks for ${req?.acceleratorCount?.min}+ accelerators`
        : req?.acceleratorTypes?.includes("gpu")
          ? "asks for GPU accelerators"
          : (req?.acceleratorManufacturers?.length ?? 0) > 0
            ? `asks for ${req?.acceleratorManufacturers?.join("/")} accelerators`
            : allowed.length > 0 && allowed.every((t) => GPU_FAMILIES.test(t))
              ? `allows only GPU instance types (${allowed.join(", ")})`
              : undefined;
    return {
      name,
      kind: "MANAGED_INSTANCES",
      capacityOptionType: template?.capacityOptionType ?? "ON_DEMAND",
      gpu,
    };
  }
  return { name, kind: "EC2_AUTOSCALING", gpu: /gpu/i.test(name) ? "its name says GPU" : undefined };
}

/** The capacity providers associated with the cluster, classified (Managed Instances first). */
export async function clusterProviders(ctx: AwsContext): Promise<ProviderKind[]> {
  const clusters = await awsCall(
    ctx.policy,
    { operation: "DescribeClusters", bucket: ctx.buckets.read, cluster: ctx.cluster, signal: ctx.signal },
    () =>
      ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: [ctx.cluster] }), {
        abortSignal: ctx.signal,
      }),
  );
  const names = clusters.clusters?.[0]?.capacityProviders ?? [];
  const found: CapacityProvider[] = [];
  // DescribeCapacityProviders returns at most 10 per page.
  for (let i = 0; i < names.length; i += 10) {
    const page = names.slice(i, i + 10);
    const out = await awsCall(
      ctx.policy,
      {
        operation: "DescribeCapacityProviders",
        bucket: ctx.buckets.read,
        cluster: ctx.cluster,
        signal: ctx.signal,
      },
      () =>
        ctx.clients.ecs.send(
          new DescribeCapacityProvidersCommand({ cluster: ctx.cluster, capacityProviders: page }),
          {
            abortSignal: ctx.signal,
          },
        ),
    );
    found.push(...(out.capacityProviders ?? []));
  }
  return found.map(classifyProvider);
}
