import type {
  CapacityProvider,
  Cluster,
  CreateClusterCommandOutput,
  DescribeCapacityProvidersCommandOutput,
  DescribeClustersCommandOutput,
} from "@aws-sdk/client-ecs";
import { ApiError, invalidParameter } from "../errors.js";
import type { Wire, WireOutput } from "../protocols/wire.js";
import { type ClusterRecord, clusterName, type Store } from "../state.js";
import { optInt, optList, optString, optStringList } from "../validate.js";
import { managedProviderView } from "./managed-providers.js";
import { validateTags } from "./validation.js";

export const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"];

/** The cluster a request names (default: "default"), or ClusterNotFoundException. */
export function resolveCluster(store: Store, ref: string | undefined): ClusterRecord {
  const cluster = store.clusters.get(clusterName(ref ?? "default"));
  if (!cluster) throw new ApiError("ClusterNotFoundException", "Cluster not found.");
  return cluster;
}

function clusterView(store: Store, c: ClusterRecord, withTags: boolean): Wire<Cluster> {
  const tasks = [...store.tasks.values()].filter((t) => t.cluster === c && t.lastStatus !== "STOPPED");
  return {
    clusterArn: c.arn,
    clusterName: c.name,
    status: "ACTIVE",
    registeredContainerInstancesCount: [...store.instances.values()].filter(
      (i) => i.cluster === c && i.registeredAt,
    ).length,
    runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus !== "RUNNING").length,
    activeServicesCount: 0,
    statistics: [],
    tags: withTags ? c.tags : undefined,
    capacityProviders: c.capacityProviders,
    defaultCapacityProviderStrategy: c.defaultStrategy,
  };
}

export function createCluster(
  input: Record<string, unknown>,
  store: Store,
): WireOutput<CreateClusterCommandOutput> {
  const name = optString(input, "clusterName") ?? "default";
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name)) {
    throw invalidParameter("Cluster name can have up to 255 letters, numbers, hyphens and underscores.");
  }
  const tags = validateTags(input["tags"]);
  const providers = optStringList(input, "capacityProviders") ?? [];
  const known = new Set([...FARGATE_PROVIDERS, ...store.config.capacityProviders.map((p) => p.name)]);
  const unknown = providers.find((p) => !known.has(p));
  if (unknown) throw invalidParameter(`The specified capacity provider ${unknown} does not exist.`);
  const strategy = optList(input, "defaultCapacityProviderStrategy") ?? [];
  const existed = store.clusters.has(name);
  const cluster = store.addCluster(name, tags);
  if (!existed) {
    cluster.capacityProviders = providers;
    cluster.defaultStrategy = strategy as ClusterRecord["defaultStrategy"];
  }
  return { cluster: clusterView(store, cluster, true) };
}

export function describeClusters(
  input: Record<string, unknown>,
  store: Store,
): WireOutput<DescribeClustersCommandOutput> {
  const refs = optStringList(input, "clusters", { max: 100 }) ?? ["default"];
  const withTags = (optStringList(input, "include") ?? []).includes("TAGS");
  const clusters: Wire<Cluster>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const c = store.clusters.get(clusterName(ref));
    if (c) clusters.push(clusterView(store, c, withTags));
    else
      failures.push({ arn: ref.startsWith("arn:") ? ref : store.arn(`cluster/${ref}`), reason: "MISSING" });
  }
  return { clusters, failures };
}

export function describeCapacityProviders(
  input: Record<string, unknown>,
  store: Store,
): WireOutput<DescribeCapacityProvidersCommandOutput> {
  const all: Wire<CapacityProvider>[] = [
    ...FARGATE_PROVIDERS.map((name) => ({
      capacityProviderArn: store.arn(`capacity-provider/${name}`),
      name,
      status: "ACTIVE" as const,
      type: name as "FARGATE",
      tags: [],
    })),
    ...store.config.capacityProviders.map((p) => ({
      capacityProviderArn: store.arn(`capacity-provider/${p.name}`),
      name: p.name,
      status: "ACTIVE" as const,
      type: "EC2_AUTOSCALING" as const,
      autoScalingGroupProvider: {
        autoScalingGroupArn: `arn:aws:autoscaling:${store.config.region}:${store.config.accountId}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${p.name}`,
        managedScaling: {
          status: "ENABLED" as const,
          targetCapacity: 100,
          minimumScalingStepSize: 1,
          maximumScalingStepSize: p.instances,
          instanceWarmupPeriod: Math.round(p.provisioningDelayMs / 1000),
        },
        managedTerminationProtection: "DISABLED" as const,
      },
      tags: [],
    })),
  ];
  // Managed Instances providers are cluster-scoped: with `cluster`, only that cluster's.
  const clusterRef = optString(input, "cluster");
  const scope = clusterRef === undefined ? undefined : resolveCluster(store, clusterRef);
  for (const p of store.managedProviders.values())
    if (scope === undefined || p.cluster === scope) all.push(managedProviderView(p, true));
  const withTags = (optStringList(input, "include") ?? []).includes("TAGS");
  // "This value can be between 1 and 10. If this parameter is not used, then
  // DescribeCapacityProviders returns up to 10 results and a nextToken value if applicable."
  const limit = optInt(input, "maxResults", { min: 1, max: 10 }) ?? 10;
  const token = optString(input, "nextToken");
  const start = token === undefined ? 0 : decodeStart(token);
  const refs = optStringList(input, "capacityProviders", { max: 100 });
  const byName = (ref: string) => all.find((p) => p.name === ref || p.capacityProviderArn === ref);
  const found = refs ? refs.map(byName).filter((p): p is Wire<CapacityProvider> => p !== undefined) : all;
  const page = found
    .slice(start, start + limit)
    .map((p) => ({ ...p, tags: withTags ? (p.tags ?? []) : undefined }));
  return {
    capacityProviders: page,
    failures: (refs ?? []).filter((r) => !byName(r)).map((arn) => ({ arn, reason: "MISSING" })),
    nextToken:
      start + limit < found.length ? Buffer.from(`cp:${start + limit}`).toString("base64url") : undefined,
  };
}

function decodeStart(token: string): number {
  const m = /^cp:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m) throw invalidParameter("Invalid nextToken.");
  return Number(m[1]);
}
