import type { SecurityGroup, Subnet, Tag, Vpc } from "@aws-sdk/client-ec2";
import type { Engine } from "./engine.js";

/**
 * The account's network, as EC2 describes it. Like every AWS account, a default VPC:
 * 172.31.0.0/16, one default subnet per availability zone (public: instances get a public IP),
 * and a security group named "default" that admits inbound traffic only from its own members.
 * `defaultVpc: false` removes it. The config's `subnets` live in a second, non-default VPC
 * (10.0.0.0/16) with its own "default" group. Ids are well formed (hex), so EC2's id checks hold.
 */
export const DEFAULT_VPC_ID = "vpc-0defa000000000001";
export const DEFAULT_SECURITY_GROUP_ID = "sg-0defa000000000001";
export const OWN_VPC_ID = "vpc-0a11ed00000000001";
export const OWN_SECURITY_GROUP_ID = "sg-0a11ed00000000001";
const ZONES = ["a", "b", "c"] as const;
const DEFAULT_CIDR = "172.31.0.0/16";
const OWN_CIDR = "10.0.0.0/16";

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

/** Tags set with CreateTags on a VPC, subnet or security group. */
export const tagsOf = (engine: Engine, id: string | undefined): Tag[] =>
  engine.store.ec2Tags.get(id ?? "") ?? [];

function subnet(
  engine: Engine,
  id: string,
  vpcId: string,
  zoneIndex: number,
  cidr: string,
  own: boolean,
): Subnet {
  const { region, accountId } = engine.config;
  const zone = ZONES[zoneIndex % ZONES.length] ?? "a";
  return {
    SubnetId: id,
    SubnetArn: `arn:aws:ec2:${region}:${accountId}:subnet/${id}`,
    VpcId: vpcId,
    State: "available",
    CidrBlock: cidr,
    AvailableIpAddressCount: own ? 251 : 4091,
    AvailabilityZone: `${region}${zone}`,
    AvailabilityZoneId: `${zoneIdPrefix(region)}-az${(zoneIndex % ZONES.length) + 1}`,
    DefaultForAz: !own,
    MapPublicIpOnLaunch: !own,
    OwnerId: accountId,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: tagsOf(engine, id),
  };
}

/** Every subnet of the account: the default VPC's, then the config's own. */
export function allSubnets(engine: Engine): Subnet[] {
  const defaults = engine.config.defaultVpc
    ? ZONES.map((zone, i) =>
        subnet(engine, defaultSubnetId(zone), DEFAULT_VPC_ID, i, `172.31.${i * 16}.0/20`, false),
      )
    : [];
  const own = engine.config.subnets.map((id, i) => subnet(engine, id, OWN_VPC_ID, i, `10.0.${i}.0/24`, true));
  return [...defaults, ...own];
}

export const findSubnet = (engine: Engine, id: string): Subnet | undefined =>
  allSubnets(engine).find((s) => s.SubnetId === id);

/** The zone of a subnet, else the region's first. */
export const zoneOfSubnet = (engine: Engine, subnetId: string): string =>
  findSubnet(engine, subnetId)?.AvailabilityZone ?? `${engine.config.region}a`;

function vpc(engine: Engine, id: string, cidr: string, isDefault: boolean): Vpc {
  return {
    VpcId: id,
    State: "available",
    CidrBlock: cidr,
    CidrBlockAssociationSet: [
      {
        AssociationId: `vpc-cidr-assoc-${id.slice(4)}`,
        CidrBlock: cidr,
        CidrBlockState: { State: "associated" },
      },
    ],
    DhcpOptionsId: "dopt-0defa000000000001",
    InstanceTenancy: "default",
    IsDefault: isDefault,
    OwnerId: engine.config.accountId,
    Tags: tagsOf(engine, id),
  };
}

export function allVpcs(engine: Engine): Vpc[] {
  return [
    ...(engine.config.defaultVpc ? [vpc(engine, DEFAULT_VPC_ID, DEFAULT_CIDR, true)] : []),
    ...(engine.config.subnets.length > 0 ? [vpc(engine, OWN_VPC_ID, OWN_CIDR, false)] : []),
  ];
}

function defaultGroup(engine: Engine, id: string, vpcId: string): SecurityGroup {
  const { accountId, region } = engine.config;
  return {
    GroupId: id,
    GroupName: "default",
    Description: "default VPC security group",
    VpcId: vpcId,
    OwnerId: accountId,
    SecurityGroupArn: `arn:aws:ec2:${region}:${accountId}:security-group/${id}`,
    // As AWS creates it: inbound only from members of the group, outbound anywhere.
    IpPermissions: [
      {
        IpProtocol: "-1",
        UserIdGroupPairs: [{ UserId: accountId, GroupId: id }],
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
    Tags: tagsOf(engine, id),
  };
}

export function allSecurityGroups(engine: Engine): SecurityGroup[] {
  return [
    ...(engine.config.defaultVpc ? [defaultGroup(engine, DEFAULT_SECURITY_GROUP_ID, DEFAULT_VPC_ID)] : []),
    ...(engine.config.subnets.length > 0 ? [defaultGroup(engine, OWN_SECURITY_GROUP_ID, OWN_VPC_ID)] : []),
  ];
}

/** The "default" security group of a VPC: what a task run without `securityGroups` gets. */
export const defaultGroupOfVpc = (vpcId: string | undefined): string | undefined =>
  vpcId === DEFAULT_VPC_ID
    ? DEFAULT_SECURITY_GROUP_ID
    : vpcId === OWN_VPC_ID
      ? OWN_SECURITY_GROUP_ID
      : undefined;
