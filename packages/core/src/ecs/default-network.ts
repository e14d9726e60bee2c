import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";
import { NoDefaultVpcError } from "../errors.js";

/** The account's default VPC in the client's region: what the console and Fargate peers fall back to. */
export interface DefaultNetwork {
  readonly vpcId: string;
  /** Its default subnets, one per availability zone (public: they map a public IP on launch). */
  readonly subnets: readonly string[];
  /** Its security group named "default", when found. */
  readonly securityGroup: { readonly id: string; readonly ingress: readonly IpPermission[] } | undefined;
}

/**
 * DescribeVpcs (is-default) → DescribeSubnets (vpc-id, default-for-az) → DescribeSecurityGroups
 * (group-name default, vpc-id): three read calls, once per run.
 *
 * @throws {@link NoDefaultVpcError} when there is no default VPC or it has no default subnets.
 */
export async function describeDefaultNetwork(ctx: AwsContext, region: string): Promise<DefaultNetwork> {
  const call = <T>(operation: string, fn: () => Promise<T>): Promise<T> =>
    awsCall(ctx.policy, { operation, bucket: ctx.buckets.other, signal: ctx.signal }, fn);
  const opts = { abortSignal: ctx.signal };
  const vpcs = await call("DescribeVpcs", () =>
    ctx.clients.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
      opts,
    ),
  );
  const vpcId = vpcs.Vpcs?.find((v) => v.IsDefault !== false && v.VpcId !== undefined)?.VpcId;
  if (vpcId === undefined) throw new NoDefaultVpcError(region);
  const subnets = await call("DescribeSubnets", () =>
    ctx.clients.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "default-for-az", Values: ["true"] },
        ],
      }),
      opts,
    ),
  );
  const subnetIds = (subnets.Subnets ?? [])
    .filter((s) => s.State === undefined || s.State === "available")
    .sort((a, b) => (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""))
    .map((s) => s.SubnetId)
    .filter((id): id is string => id !== undefined)
    // RunTask takes at most 16 subnets.
    .slice(0, 16);
  if (subnetIds.length === 0) throw new NoDefaultVpcError(region, vpcId);
  const groups = await call("DescribeSecurityGroups", () =>
    ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "group-name", Values: ["default"] },
          { Name: "vpc-id", Values: [vpcId] },
        ],
      }),
      opts,
    ),
  );
  const group = groups.SecurityGroups?.find((g) => g.GroupId !== undefined);
  return {
    vpcId,
    subnets: subnetIds,
    securityGroup:
      group?.GroupId === undefined ? undefined : { id: group.GroupId, ingress: group.IpPermissions ?? [] },
  };
}

/** Whether a security group's inbound rules admit TCP `port` from some address range (not only from other groups). */
export function admitsPortFromAddresses(ingress: readonly IpPermission[], port: number): boolean {
  return ingress.some((rule) => {
    const fromAddresses =
      (rule.IpRanges?.length ?? 0) > 0 ||
      (rule.Ipv6Ranges?.length ?? 0) > 0 ||
      (rule.PrefixListIds?.length ?? 0) > 0;
    if (!fromAddresses) return false;
    if (rule.IpProtocol === "-1") return true;
    if (rule.IpProtocol !== "tcp" && rule.IpProtocol !== "6") return false;
    return (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535);
  });
}
