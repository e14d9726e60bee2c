import type { CapacityProvider, CreateCapacityProviderCommandOutput } from "@aws-sdk/client-ecs";
import { checkSchema } from "@ecs-fanout/protocol";
import { z } from "zod";
import { instanceRequirementsSchema, type ManagedProviderConfig } from "../config.js";
import type { Engine } from "../engine.js";
import { ApiError, clientError, invalidParameter } from "../errors.js";
import { defaultSubnetId, findSubnet } from "../network.js";
import type { Wire, WireOutput } from "../protocols/wire.js";
import { type ClusterRecord, clusterName, type ManagedProviderRecord, type Store } from "../state.js";
import { matchingTypes } from "../tasks/instance-types.js";
import { validateTags } from "./validation.js";

// The request shape of CreateCapacityProvider's `managedInstancesProvider`, member for member as
// the ECS API model has it. Unknown members are refused (the SDKs never send one); members the
// endpoint does not act on are checked for their type and stored.
const arn = (kind: "role" | "instance-profile") =>
  z
    .string()
    .regex(new RegExp(`^arn:aws[a-z-]*:iam::\\d{12}:${kind}/[\\w+=,.@/-]{1,512}$`))
    .describe(`an IAM ${kind === "role" ? "role" : "instance profile"} ARN`);
const ids = (prefix: string, max: number) =>
  z
    .array(
      z
        .string()
        .regex(new RegExp(`^${prefix}-[0-9a-zA-Z]+$`))
        .describe(`a ${prefix}- id`),
    )
    .max(max);

const requirementsRequest = instanceRequirementsSchema.extend({
  memoryGiBPerVCpu: z.strictObject({ min: z.number().optional(), max: z.number().optional() }).optional(),
  instanceGenerations: z.array(z.enum(["current", "previous"])).optional(),
  spotMaxPricePercentageOverLowestPrice: z.number().int().optional(),
  onDemandMaxPricePercentageOverLowestPrice: z.number().int().optional(),
  maxSpotPriceAsPercentageOfOptimalOnDemandPrice: z.number().int().optional(),
  bareMetal: z.enum(["included", "required", "excluded"]).optional(),
  burstablePerformance: z.enum(["included", "required", "excluded"]).optional(),
  requireHibernateSupport: z.boolean().optional(),
  networkInterfaceCount: z
    .strictObject({ min: z.number().int().optional(), max: z.number().int().optional() })
    .optional(),
  localStorage: z.enum(["included", "required", "excluded"]).optional(),
  localStorageTypes: z.array(z.enum(["hdd", "ssd"])).optional(),
  totalLocalStorageGB: z.strictObject({ min: z.number().optional(), max: z.number().optional() }).optional(),
  baselineEbsBandwidthMbps: z
    .strictObject({ min: z.number().int().optional(), max: z.number().int().optional() })
    .optional(),
  networkBandwidthGbps: z.strictObject({ min: z.number().optional(), max: z.number().optional() }).optional(),
});

const managedInstancesProviderRequest = z.strictObject({
  infrastructureRoleArn: arn("role"),
  instanceLaunchTemplate: z.strictObject({
    ec2InstanceProfileArn: arn("instance-profile"),
    networkConfiguration: z.strictObject({
      subnets: ids("subnet", 16).min(1),
      securityGroups: ids("sg", 5).optional(),
    }),
    storageConfiguration: z.strictObject({ storageSizeGiB: z.number().int().min(1) }).optional(),
    localStorageConfiguration: z.strictObject({ useLocalStorage: z.boolean().optional() }).optional(),
    monitoring: z.enum(["BASIC", "DETAILED"]).optional(),
    capacityOptionType: z.enum(["ON_DEMAND", "SPOT", "RESERVED"]).optional(),
    instanceMetadataTagsPropagation: z.boolean().optional(),
    instanceRequirements: requirementsRequest.optional(),
    fipsEnabled: z.boolean().optional(),
    capacityReservations: z
      .strictObject({
        reservationGroupArn: z.string().optional(),
        reservationPreference: z
          .enum(["RESERVATIONS_ONLY", "RESERVATIONS_FIRST", "RESERVATIONS_EXCLUDED"])
          .optional(),
      })
      .optional(),
  }),
  propagateTags: z.enum(["CAPACITY_PROVIDER", "NONE"]).optional(),
  infrastructureOptimization: z
    .strictObject({ scaleInAfter: z.number().int().min(-1).max(3600).optional() })
    .optional(),
  autoRepairConfiguration: z
    .strictObject({ actionsStatus: z.enum(["ENABLED", "DISABLED"]).optional() })
    .optional(),
});

type ProviderRequest = z.output<typeof managedInstancesProviderRequest>;

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/** Every provider name the account has (Fargate's, the EC2 ones of the config, Managed Instances). */
export function providerNameTaken(store: Store, name: string): boolean {
  return (
    ["FARGATE", "FARGATE_SPOT"].includes(name) ||
    store.config.capacityProviders.some((p) => p.name === name) ||
    store.managedProviders.has(name)
  );
}

function addProvider(
  store: Store,
  cluster: ClusterRecord,
  name: string,
  request: ProviderRequest,
  tags: ManagedProviderRecord["tags"],
): ManagedProviderRecord {
  const template = request.instanceLaunchTemplate;
  const spot = (template.capacityOptionType ?? "ON_DEMAND") === "SPOT";
  const record: ManagedProviderRecord = {
    name,
    arn: store.arn(`capacity-provider/${name}`),
    cluster,
    spot,
    requirements: template.instanceRequirements,
    description: {
      ...request,
      instanceLaunchTemplate: { ...template, capacityOptionType: template.capacityOptionType ?? "ON_DEMAND" },
      propagateTags: request.propagateTags ?? "NONE",
    },
    tags,
  };
  store.managedProviders.set(name, record);
  // A Managed Instances provider belongs to its cluster from the start.
  if (!cluster.capacityProviders.includes(name)) cluster.capacityProviders.push(name);
  return record;
}

/** The providers of the config, made as CreateCapacityProvider would (with placeholder roles). */
export function addConfiguredProviders(store: Store, providers: readonly ManagedProviderConfig[]): void {
  const account = store.config.accountId;
  for (const p of providers) {
    const cluster = store.clusters.get(p.cluster);
    if (!cluster) continue; // the config schema has checked it is listed
    addProvider(
      store,
      cluster,
      p.name,
      {
        infrastructureRoleArn: `arn:aws:iam::${account}:role/ecsInfrastructureRole`,
        instanceLaunchTemplate: {
          ec2InstanceProfileArn: `arn:aws:iam::${account}:instance-profile/ecsInstanceProfile`,
          networkConfiguration: { subnets: [defaultSubnetId("a")] },
          capacityOptionType: p.capacityOptionType ?? "ON_DEMAND",
          instanceRequirements: p.instanceRequirements,
        },
      },
      [],
    );
  }
}

export function createCapacityProvider(
  input: Record<string, unknown>,
  engine: Engine,
): WireOutput<CreateCapacityProviderCommandOutput> {
  const { store } = engine;
  const name = input["name"];
  if (typeof name !== "string" || !NAME.test(name) || /^(aws|ecs|fargate)/i.test(name))
    throw invalidParameter(
      "The capacity provider name can have up to 255 letters, numbers, underscores and hyphens, and can't be prefixed with aws, ecs or fargate.",
    );
  const tags = validateTags(input["tags"]);
  const asg = input["autoScalingGroupProvider"];
  const mi = input["managedInstancesProvider"];
  if ((asg === undefined) === (mi === undefined))
    throw invalidParameter("Specify exactly one of autoScalingGroupProvider and managedInstancesProvider.");
  if (asg !== undefined)
    throw new ApiError(
      "UnsupportedFeatureException",
      "This endpoint has no Auto Scaling groups: declare EC2 capacity providers in its config (capacityProviders).",
    );
  const ref = input["cluster"];
  if (typeof ref !== "string" || ref === "")
    throw invalidParameter("A cluster must be specified for a Managed Instances capacity provider.");
  const cluster = store.clusters.get(clusterName(ref));
  if (!cluster) throw new ApiError("ClusterNotFoundException", "Cluster not found.");
  const checked = checkSchema(managedInstancesProviderRequest, mi);
  if (!checked.ok)
    throw invalidParameter(
      checked.problems
        .map((p) => `managedInstancesProvider${p.path ? `.${p.path}` : ""}: ${p.message}`)
        .join("; "),
    );
  const request = checked.value;
  const template = request.instanceLaunchTemplate;
  if (template.capacityOptionType === "RESERVED")
    throw new ApiError(
      "UnsupportedFeatureException",
      "This endpoint does not emulate Capacity Reservations: use ON_DEMAND or SPOT.",
    );
  const req = template.instanceRequirements;
  if (req?.allowedInstanceTypes && req.excludedInstanceTypes)
    throw invalidParameter("You can specify allowedInstanceTypes or excludedInstanceTypes, but not both.");
  for (const [what, r] of Object.entries({ vCpuCount: req?.vCpuCount, memoryMiB: req?.memoryMiB })) {
    if (r?.max !== undefined && r.max < r.min)
      throw invalidParameter(`instanceRequirements.${what}: max (${r.max}) must be at least min (${r.min}).`);
  }
  const subnets = template.networkConfiguration.subnets;
  const missing = subnets.find((s) => !findSubnet(engine, s));
  if (missing !== undefined)
    throw invalidParameter(
      `Error retrieving subnet information for [${missing}]: The subnet ID '${missing}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
    );
  if (new Set(subnets.map((s) => findSubnet(engine, s)?.VpcId)).size > 1)
    throw invalidParameter("The subnets must all belong to the same VPC.");
  if (matchingTypes(req).length === 0)
    throw invalidParameter("No instance type matches the specified instance requirements.");
  if (providerNameTaken(store, name))
    throw clientError(
      `The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.`,
    );
  const record = addProvider(store, cluster, name, request, tags);
  return { capacityProvider: managedProviderView(record, true) };
}

/** A Managed Instances provider as CreateCapacityProvider and DescribeCapacityProviders answer it. */
export function managedProviderView(p: ManagedProviderRecord, withTags: boolean): Wire<CapacityProvider> {
  return {
    capacityProviderArn: p.arn,
    name: p.name,
    cluster: p.cluster.name,
    status: "ACTIVE",
    type: "MANAGED_INSTANCES",
    managedInstancesProvider: structuredClone(
      p.description,
    ) as Wire<CapacityProvider>["managedInstancesProvider"],
    tags: withTags ? p.tags : undefined,
  };
}
