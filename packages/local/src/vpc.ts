import type {
  DescribeSecurityGroupsResult,
  DescribeSubnetsResult,
  DescribeVpcsResult,
  SecurityGroup,
  Subnet,
  Vpc,
} from "@aws-sdk/client-ec2";
import { checkFilterNames, checkIds, checkMaxResults, matches } from "./ec2-filters.js";
import type { Engine } from "./engine.js";
import { ApiError } from "./errors.js";
import { type QueryInput, queryFilters, queryList } from "./protocols/ec2-query.js";

/**
 * The account's default VPC, as AWS creates it in every region: 172.31.0.0/16, one default subnet
 * per availability zone (public: instances get a public IP), and a security group named "default"
 * that admits inbound traffic only from its own members. Ids are well formed (hex), so the EC2
 * id checks hold for them too. `defaultVpc: false` in the config removes all of it.
 */
export const DEFAULT_VPC_ID = "vpc-0defa000000000001";
export const DEFAULT_SECURITY_GROUP_ID = "sg-0defa000000000001";
const ZONES = ["a", "b", "c"] as const;
const VPC_CIDR = "172.31.0.0/16";

/** The default subnet of a zone letter: `subnet-0defa00000000001a`, `…1b`, `…1c`. */
export const defaultSubnetId = (zone: string): string => `subnet-0defa00000000001${zone}`;

/** AWS's zone id prefix: us-east-1 → use1, ap-northeast-2 → apne2, eu-central-1 → euc1. */
const zoneIdPrefix = (region: string): string => {
  const [area = "", ...rest] = region.split("-");
  const digit = rest.pop() ?? "";
  const short = rest
    .join("")
    .replace(/north|south|east|west|central/g, (w) => (w === "central" ? "c" : w.charAt(0)));
  return `${area}${short}${digit}`;
};

export function defaultSubnets(engine: Engine): Subnet[] {
  if (!engine.config.defaultVpc) return [];
  const { region, accountId } = engine.config;
  return ZONES.map((zone, i) => {
    const id = defaultSubnetId(zone);
    return {
      SubnetId: id,
      SubnetArn: `arn:aws:ec2:${region}:${accountId}:subnet/${id}`,
      VpcId: DEFAULT_VPC_ID,
      State: "available",
      CidrBlock: `172.31.${i * 16}.0/20`,
      AvailableIpAddressCount: 4091,
      AvailabilityZone: `${region}${zone}`,
      AvailabilityZoneId: `${zoneIdPrefix(region)}-az${i + 1}`,
      DefaultForAz: true,
      MapPublicIpOnLaunch: true,
      OwnerId: accountId,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
    };
  });
}

/** The zone of a subnet: its default subnet's, else the region's first zone. */
export function zoneOfSubnet(engine: Engine, subnetId: string): string {
  return (
    defaultSubnets(engine).find((s) => s.SubnetId === subnetId)?.AvailabilityZone ??
    `${engine.config.region}a`
  );
}

function defaultVpcs(engine: Engine): Vpc[] {
  if (!engine.config.defaultVpc) return [];
  return [
    {
      VpcId: DEFAULT_VPC_ID,
      State: "available",
      CidrBlock: VPC_CIDR,
      CidrBlockAssociationSet: [
        {
          AssociationId: "vpc-cidr-assoc-0defa000000000001",
          CidrBlock: VPC_CIDR,
          CidrBlockState: { State: "associated" },
        },
      ],
      DhcpOptionsId: "dopt-0defa000000000001",
      InstanceTenancy: "default",
      IsDefault: true,
      OwnerId: engine.config.accountId,
    },
  ];
}

function defaultSecurityGroups(engine: Engine): SecurityGroup[] {
  if (!engine.config.defaultVpc) return [];
  const { accountId, region } = engine.config;
  return [
    {
      GroupId: DEFAULT_SECURITY_GROUP_ID,
      GroupName: "default",
      Description: "default VPC security group",
      VpcId: DEFAULT_VPC_ID,
      OwnerId: accountId,
      SecurityGroupArn: `arn:aws:ec2:${region}:${accountId}:security-group/${DEFAULT_SECURITY_GROUP_ID}`,
      // As AWS creates it: inbound only from members of the group, outbound anywhere.
      IpPermissions: [
        {
          IpProtocol: "-1",
          UserIdGroupPairs: [{ UserId: accountId, GroupId: DEFAULT_SECURITY_GROUP_ID }],
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
        },
      ],
      IpPermissionsEgress: [
        {
          IpProtocol: "-1",
          UserIdGroupPairs: [],
          IpRanges: [{ CidrIp: "0.0.0.0/0" }],
          Ipv6Ranges: [],
          PrefixListIds: [],
        },
      ],
    },
  ];
}

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
  const all = defaultVpcs(engine);
  const missing = ids.filter((id) => !all.some((v) => v.VpcId === id));
  if (missing.length > 0) throw notFound("InvalidVpcID.NotFound", "vpc", missing);
  const Vpcs = all
    .filter((v) => ids.length === 0 || ids.includes(v.VpcId ?? ""))
    .filter((v) =>
      matches(filters, {
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
  const all = defaultSubnets(engine);
  const missing = ids.filter((id) => !all.some((s) => s.SubnetId === id));
  if (missing.length > 0) throw notFound("InvalidSubnetID.NotFound", "subnet", missing);
  const Subnets = all
    .filter((s) => ids.length === 0 || ids.includes(s.SubnetId ?? ""))
    .filter((s) =>
      matches(filters, {
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
  const all = defaultSecurityGroups(engine);
  const missingIds = ids.filter((id) => !all.some((g) => g.GroupId === id));
  if (missingIds.length > 0)
    throw new ApiError(
      "InvalidGroup.NotFound",
      `The security group '${missingIds.join(", ")}' does not exist`,
    );
  // GroupNames look in the default VPC only, as on AWS.
  const missingName = names.find((n) => !all.some((g) => g.GroupName === n));
  if (missingName !== undefined)
    throw new ApiError(
      "InvalidGroup.NotFound",
      engine.config.defaultVpc
        ? `The security group '${missingName}' does not exist in default VPC '${DEFAULT_VPC_ID}'`
        : `The security group '${missingName}' does not exist`,
    );
  const SecurityGroups = all
    .filter((g) => ids.length === 0 || ids.includes(g.GroupId ?? ""))
    .filter((g) => names.length === 0 || names.includes(g.GroupName ?? ""))
    .filter((g) =>
      matches(filters, {
        "group-id": g.GroupId,
        "group-name": g.GroupName,
        "vpc-id": g.VpcId,
        "owner-id": g.OwnerId,
        description: g.Description,
      }),
    );
  return { SecurityGroups };
}
