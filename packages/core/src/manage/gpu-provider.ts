import { clusterProviders, type ProviderKind } from "../ecs/capacity-providers.js";
import { parseOptions } from "../options/check.js";
import { type FindGpuProviderOptions, findGpuProviderOptionsSchema } from "../options/manage.js";
import { manageContext } from "./context.js";

/** The GPU capacity provider a run should use, and why. */
export interface GpuProviderChoice {
  /** The provider to put in `capacityProviderStrategy`, or undefined when the cluster has none. */
  readonly chosen: ProviderKind | undefined;
  /** Every GPU provider found, the chosen one first. */
  readonly candidates: readonly ProviderKind[];
  /** One sentence for a person: which was chosen and why, or why none was. */
  readonly explanation: string;
}

const describeKind = (p: ProviderKind) =>
  p.kind === "MANAGED_INSTANCES"
    ? `ECS Managed Instances, ${p.capacityOptionType === "SPOT" ? "Spot" : "On-Demand"}`
    : "an EC2 Auto Scaling group";

/**
 * Finds the cluster's GPU capacity provider: an ECS Managed Instances provider whose instance
 * requirements ask for GPUs is preferred over an Auto Scaling group provider named for GPUs (ECS
 * runs the instances, and Spot is a setting). Reads DescribeClusters and DescribeCapacityProviders.
 *
 * @throws {@link ValidationError} for bad options.
 */
export async function findGpuCapacityProvider(given: FindGpuProviderOptions): Promise<GpuProviderChoice> {
  const options = parseOptions(findGpuProviderOptionsSchema, given, "findGpuCapacityProvider options");
  const ctx = manageContext(options);
  try {
    const providers = await clusterProviders(ctx);
    return chooseGpuProvider(options.cluster, providers);
  } finally {
    ctx.close();
  }
}

/** The choice among classified providers (pure; see {@link findGpuCapacityProvider}). */
export function chooseGpuProvider(cluster: string, providers: readonly ProviderKind[]): GpuProviderChoice {
  const gpu = providers.filter((p) => p.gpu !== undefined);
  const candidates = [
    ...gpu.filter((p) => p.kind === "MANAGED_INSTANCES"),
    ...gpu.filter((p) => p.kind !== "MANAGED_INSTANCES"),
  ];
  const chosen = candidates[0];
  if (!chosen) {
    const listed = providers.map((p) => p.name).join(", ") || "none";
    return {
      chosen: undefined,
      candidates,
      explanation: `cluster ${cluster} has no GPU capacity provider (its providers: ${listed}); create one (docs/gpu-setup.md) or name it with --capacity-provider`,
    };
  }
  const others = candidates.slice(1).map((p) => `${p.name} (${describeKind(p)})`);
  return {
    chosen,
    candidates,
    explanation: `GPU capacity: ${chosen.name} (${describeKind(chosen)}; ${chosen.gpu})${
      others.length > 0 ? `, preferred over ${others.join(", ")}` : ""
    }`,
  };
}
