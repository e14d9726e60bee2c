import type { CapacityProviderStrategyItem } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../errors.js";
import type { Wire } from "../protocols/wire.js";
import type { ClusterRecord, LaunchType, Store } from "../state.js";
import { FARGATE_PROVIDERS } from "./clusters.js";

export interface Placement {
  launchType: LaunchType;
  capacityProvider?: string;
  spot: boolean;
}

type Strategy = Wire<CapacityProviderStrategyItem>[];

function validateStrategy(store: Store, cluster: ClusterRecord, strategy: Strategy): void {
  if (strategy.length === 0) throw invalidParameter("The capacity provider strategy cannot be empty.");
  if (strategy.length > 20)
    throw invalidParameter("The capacity provider strategy can contain at most 20 capacity providers.");
  // Managed Instances providers are cluster-scoped: only the cluster's own are known here.
  const managed = [...store.managedProviders.values()]
    .filter((p) => p.cluster === cluster)
    .map((p) => p.name);
  const known = new Set([
    ...FARGATE_PROVIDERS,
    ...store.config.capacityProviders.map((p) => p.name),
    ...managed,
  ]);
  const names = new Set<string>();
  for (const item of strategy) {
    const name = item.capacityProvider;
    if (typeof name !== "string" || !known.has(name)) {
      throw invalidParameter(
        `The specified capacity provider ${String(name)} is not associated with the cluster.`,
      );
    }
    if (names.has(name))
      throw invalidParameter(`The capacity provider strategy contains ${name} more than once.`);
    names.add(name);
    const weight = item.weight ?? 0;
    const base = item.base ?? 0;
    if (!Number.isInteger(weight) || weight < 0 || weight > 1000)
      throw invalidParameter("weight must be between 0 and 1000.");
    if (!Number.isInteger(base) || base < 0 || base > 100000)
      throw invalidParameter("base must be between 0 and 100000.");
  }
  const fargate = strategy.filter((s) => FARGATE_PROVIDERS.includes(s.capacityProvider ?? ""));
  if (fargate.length > 0 && fargate.length < strategy.length) {
    throw invalidParameter(
      "The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.",
    );
  }
  if (strategy.filter((s) => (s.base ?? 0) > 0).length > 1) {
    throw invalidParameter("Only one capacity provider in a strategy can have a base defined.");
  }
  if (!strategy.some((s) => (s.weight ?? 0) > 0)) {
    throw invalidParameter(
      "At least one capacity provider in the strategy must have a weight greater than zero.",
    );
  }
}

function toPlacement(store: Store, provider: string): Placement {
  if (FARGATE_PROVIDERS.includes(provider))
    return { launchType: "FARGATE", capacityProvider: provider, spot: provider === "FARGATE_SPOT" };
  const managed = store.managedProviders.get(provider);
  if (managed) return { launchType: "MANAGED_INSTANCES", capacityProvider: provider, spot: managed.spot };
  return { launchType: "EC2", capacityProvider: provider, spot: false };
}

/**
 * Where each of `count` tasks goes: the launch type, or providers of the strategy (the request's,
 * else the cluster's default) by base first, then by weight.
 */
export function planPlacements(
  store: Store,
  cluster: ClusterRecord,
  launchType: string | undefined,
  requested: Strategy | undefined,
  count: number,
): Placement[] {
  if (launchType !== undefined && requested !== undefined) {
    throw invalidParameter(
      "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
    );
  }
  if (launchType !== undefined) {
    if (launchType !== "FARGATE" && launchType !== "EC2") {
      throw invalidParameter(
        launchType === "FARGATE_SPOT"
          ? "FARGATE_SPOT is not a launch type: use a capacityProviderStrategy with the FARGATE_SPOT capacity provider."
          : launchType === "MANAGED_INSTANCES"
            ? "To use Amazon ECS Managed Instances, use a capacityProviderStrategy with a Managed Instances capacity provider and omit launchType."
            : `launchType ${launchType} is not supported by this endpoint (use EC2 or FARGATE).`,
      );
    }
    return Array.from({ length: count }, () => ({ launchType, spot: false }));
  }
  const strategy = requested ?? (cluster.defaultStrategy.length > 0 ? cluster.defaultStrategy : undefined);
  if (!strategy) return Array.from({ length: count }, () => ({ launchType: "EC2", spot: false }));
  validateStrategy(store, cluster, strategy);
  const assigned = new Map<string, number>();
  const placements: Placement[] = [];
  for (let i = 0; i < count; i++) {
    const withBase = strategy.find((s) => (assigned.get(s.capacityProvider ?? "") ?? 0) < (s.base ?? 0));
    const pick =
      withBase ??
      strategy
        .filter((s) => (s.weight ?? 0) > 0)
        .reduce((best, s) => {
          const load = (x: typeof s) =>
            ((assigned.get(x.capacityProvider ?? "") ?? 0) - (x.base ?? 0)) / (x.weight ?? 1);
          return load(s) < load(best) ? s : best;
        });
    const name = pick.capacityProvider ?? "";
    assigned.set(name, (assigned.get(name) ?? 0) + 1);
    placements.push(toPlacement(store, name));
  }
  return placements;
}
