import type {
  DescribeSecurityGroupsResult,
  DescribeSubnetsResult,
  DescribeVpcsResult,
} from "@aws-sdk/client-ec2";
import { checkFilterNames, checkIds, checkMaxResults, matches } from "./ec2-filters.js";
import type { Engine } from "./engine.js";
import { ApiError } from "./errors.js";
import { allSecurityGroups, allSubnets, allVpcs, DEFAULT_VPC_ID } from "./network.js";
import { type QueryInput, queryFilters, queryList } from "./protocols/ec2-query.js";

function notFound(code: string, what: string, missing: string[]): ApiError {
  const plural = missing.length > 1 ? "s" : "";
  return new ApiError(
    code,
    `The ${what} ID${plural} '${missing.join(", ")}' do${plural ? "" : "es"} not exist`,
  );
}

const VPC_FILTERS = [
  "vpc-id",
  "is-default",
  "state",
  "cidr",
  "cidr-block-association.cidr-block",
  "cidr-block-association.association-id",
  "cidr-block-association.state",
  "dhcp-options-id",
  "owner-id",
] as const;

export function describeVpcs(input: QueryInput, engine: Engine): DescribeVpcsResult {
  const ids = queryList(input.params, "VpcId");
  checkIds(ids, "vpc", "InvalidVpcID.Malformed", "vpc-...");
  const filters = queryFilters(input.params);
  checkFilterNames(filters, VPC_FILTERS);
  checkMaxResults(input.params, 5, 1000);
  const all = allVpcs(engine);
  const missing = ids.filter((id) => !all.some((v) => v.VpcId === id));
  if (missing.length > 0) throw notFound("InvalidVpcID.NotFound", "vpc", missing);
  const Vpcs = all
    .filter((v) => ids.length === 0 || ids.includes(v.VpcId ?? ""))
    .filter((v) =>
      matches(filters, v.Tags, {
        "vpc-id": v.VpcId,
        "is-default": String(v.IsDefault),
        state: v.State,
        cidr: v.CidrBlock,
        "cidr-block-association.cidr-block": v.CidrBlockAssociationSet?.map((a) => a.CidrBlock ?? ""),
        "cidr-block-association.association-id": v.CidrBlockAssociationSet?.map((a) => a.AssociationId ?? ""),
        "cidr-block-association.state": v.CidrBlockAssociationSet?.map((a) => a.CidrBlockState?.State ?? ""),
        "dhcp-options-id": v.DhcpOptionsId,
        "owner-id": v.OwnerId,
      }),
    );
  return { Vpcs };
}

const SUBNET_FILTERS = [
  "subnet-id",
  "vpc-id",
  "default-for-az",
  "defaultForAz",
  "availability-zone",
  "availabilityZone",
  "availability-zone-id",
  "availabilityZoneId",
  "cidr-block",
  "cidrBlock",
  "cidr",
  "state",
  "map-public-ip-on-launch",
  "owner-id",
  "subnet-arn",
  "available-ip-address-count",
] as const;

export function describeSubnets(input: QueryInput, engine: Engine): DescribeSubnetsResult {
  const ids = queryList(input.params, "SubnetId");
  checkIds(ids, "subnet", "InvalidSubnetID.Malformed", "subnet-...");
  const filters = queryFilters(input.params);
  checkFilterNames(filters, SUBNET_FILTERS);
  checkMaxResults(input.params, 5, 1000);
  const all = allSubnets(engine);
  const missing = ids.filter((id) => !all.some((s) => s.SubnetId === id));
  if (missing.length > 0) throw notFound("InvalidSubnetID.NotFound", "subnet", missing);
  const Subnets = all
    .filter((s) => ids.length === 0 || ids.includes(s.SubnetId ?? ""))
    .filter((s) =>
      matches(filters, s.Tags, {
        "subnet-id": s.SubnetId,
        "vpc-id": s.VpcId,
        "default-for-az": String(s.DefaultForAz),
        defaultForAz: String(s.DefaultForAz),
        "availability-zone": s.AvailabilityZone,
        availabilityZone: s.AvailabilityZone,
        "availability-zone-id": s.AvailabilityZoneId,
        availabilityZoneId: s.AvailabilityZoneId,
        "cidr-block": s.CidrBlock,
        cidrBlock: s.CidrBlock,
        cidr: s.CidrBlock,
        state: s.State,
        "map-public-ip-on-launch": String(s.MapPublicIpOnLaunch),
        "owner-id": s.OwnerId,
        "subnet-arn": s.SubnetArn,
        "available-ip-address-count": String(s.AvailableIpAddressCount),
      }),
    );
  return { Subnets };
}

const GROUP_FILTERS = ["group-id", "group-name", "vpc-id", "owner-id", "description"] as const;

export function describeSecurityGroups(input: QueryInput, engine: Engine): DescribeSecurityGroupsResult {
  const ids = queryList(input.params, "GroupId");
  checkIds(ids, "sg", "InvalidGroupId.Malformed", "sg-...");
  const names = queryList(input.params, "GroupName");
  const filters = queryFilters(input.params);
  checkFilterNames(filters, GROUP_FILTERS);
  checkMaxResults(input.params, 5, 1000);
  const all = allSecurityGroups(engine);
  const missingIds = ids.filter((id) => !all.some((g) => g.GroupId === id));
  if (missingIds.length > 0)
    throw new ApiError(
      "InvalidGroup.NotFound",
      `The security group '${missingIds.join(", ")}' does not exist`,
    );
  // GroupNames look in the default VPC only, as on AWS.
  const inDefault = all.filter((g) => g.VpcId === DEFAULT_VPC_ID);
  const missingName = names.find((n) => !inDefault.some((g) => g.GroupName === n));
  if (missingName !== undefined)
    throw new ApiError(
      "InvalidGroup.NotFound",
      engine.config.defaultVpc
        ? `The security group '${missingName}' does not exist in default VPC '${DEFAULT_VPC_ID}'`
        : `The security group '${missingName}' does not exist`,
    );
  const SecurityGroups = all
    .filter((g) => ids.length === 0 || ids.includes(g.GroupId ?? ""))
    .filter((g) => names.length === 0 || (g.VpcId === DEFAULT_VPC_ID && names.includes(g.GroupName ?? "")))
    .filter((g) =>
      matches(filters, g.Tags, {
        "group-id": g.GroupId,
        "group-name": g.GroupName,
        "vpc-id": g.VpcId,
        "owner-id": g.OwnerId,
        description: g.Description,
      }),
    );
  return { SecurityGroups };
}

const TAGGABLE = /^(vpc|subnet|sg|eni)-/;

/** CreateTags on the account's VPCs, subnets, security groups and task ENIs (what the tag filters read). */
export function createTags(input: QueryInput, engine: Engine): { Return: boolean } {
  const ids = queryList(input.params, "ResourceId");
  if (ids.length === 0)
    throw new ApiError("MissingParameter", "The request must contain the parameter resourceIdSet");
  const byIndex = new Map<number, { Key?: string; Value?: string }>();
  for (const [key, value] of input.params) {
    const m = /^Tag\.(\d+)\.(Key|Value)$/.exec(key);
    if (!m) continue;
    const tag = byIndex.get(Number(m[1])) ?? {};
    tag[m[2] === "Key" ? "Key" : "Value"] = value;
    byIndex.set(Number(m[1]), tag);
  }
  const tags = [...byIndex.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([, tag]) => {
      if (!tag.Key) throw new ApiError("InvalidParameterValue", "Tag keys must not be empty");
      if (/^aws:/i.test(tag.Key))
        throw new ApiError(
          "InvalidParameterValue",
          "Tag keys starting with 'aws:' are reserved for internal use",
        );
      return { Key: tag.Key, Value: tag.Value ?? "" };
    });
  const known = new Set([
    ...allVpcs(engine).map((v) => v.VpcId),
    ...allSubnets(engine).map((s) => s.SubnetId),
    ...allSecurityGroups(engine).map((g) => g.GroupId),
    ...[...engine.store.tasks.values()].map((t) => (t.lastStatus === "STOPPED" ? undefined : t.eni?.id)),
  ]);
  const missing = ids.find((id) => !TAGGABLE.test(id) || !known.has(id));
  if (missing !== undefined) throw new ApiError("InvalidID", `The ID '${missing}' is not valid`);
  for (const id of ids) {
    const current = engine.store.ec2Tags.get(id) ?? [];
    const merged = [...current.filter((t) => !tags.some((n) => n.Key === t.Key)), ...tags];
    engine.store.ec2Tags.set(id, merged);
  }
  return { Return: true };
}
