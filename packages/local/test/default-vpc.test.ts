import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { type Clients, runOne, testHarness, waitForStatus } from "./helpers.js";

const errorOf = async (p: Promise<unknown>): Promise<{ name: string; message: string }> => {
  try {
    await p;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error("expected the call to fail");
};

/** What every peer (the console, prefect-aws, dask-cloudprovider) does to find the default subnets. */
async function defaultSubnets(harness: Pick<Clients, "ec2">): Promise<string[]> {
  const vpcs = await harness.ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
  );
  const vpcId = vpcs.Vpcs?.[0]?.VpcId;
  if (vpcId === undefined) return [];
  const subnets = await harness.ec2.send(
    new DescribeSubnetsCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "default-for-az", Values: ["true"] },
      ],
    }),
  );
  return (subnets.Subnets ?? []).map((s) => s.SubnetId ?? "");
}

describe("the account's default VPC through the real EC2 client", () => {
  it("has one default VPC, found by the is-default filter", async () => {
    const h = await testHarness({ subnets: [] });
    const out = await h.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    expect(out.Vpcs).toHaveLength(1);
    const vpc = out.Vpcs?.[0];
    expect(vpc?.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(vpc).toMatchObject({ IsDefault: true, State: "available", CidrBlock: "172.31.0.0/16" });
    expect(vpc?.CidrBlockAssociationSet?.[0]?.CidrBlockState?.State).toBe("associated");
    const none = await h.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["false"] }] }),
    );
    expect(none.Vpcs).toEqual([]);
  });

  it("has one public default subnet per availability zone of the region", async () => {
    const h = await testHarness({ region: "ap-northeast-2" });
    const vpcId = (await h.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId ?? "";
    const out = await h.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "default-for-az", Values: ["true"] },
        ],
      }),
    );
    const subnets = out.Subnets ?? [];
    expect(subnets.map((s) => s.AvailabilityZone)).toEqual([
      "ap-northeast-2a",
      "ap-northeast-2b",
      "ap-northeast-2c",
    ]);
    expect(subnets.map((s) => s.AvailabilityZoneId)).toEqual(["apne2-az1", "apne2-az2", "apne2-az3"]);
    for (const s of subnets) {
      expect(s.SubnetId).toMatch(/^subnet-[0-9a-f]{17}$/);
      expect(s).toMatchObject({
        VpcId: vpcId,
        DefaultForAz: true,
        MapPublicIpOnLaunch: true,
        State: "available",
      });
      expect(s.CidrBlock).toMatch(/^172\.31\.\d+\.0\/20$/);
    }
    const zoneB = await h.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "availability-zone", Values: ["*b"] }] }),
    );
    expect(zoneB.Subnets?.map((s) => s.SubnetId)).toEqual([subnets[1]?.SubnetId]);
    const byId = await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnets[2]?.SubnetId ?? ""] }));
    expect(byId.Subnets?.map((s) => s.AvailabilityZone)).toEqual(["ap-northeast-2c"]);
  });

  it("has a security group named default that admits only its own members", async () => {
    const h = await testHarness();
    const vpcId = (await h.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId ?? "";
    const out = await h.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "group-name", Values: ["default"] },
          { Name: "vpc-id", Values: [vpcId] },
        ],
      }),
    );
    expect(out.SecurityGroups).toHaveLength(1);
    const group = out.SecurityGroups?.[0];
    expect(group?.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(group).toMatchObject({
      GroupName: "default",
      VpcId: vpcId,
      Description: "default VPC security group",
    });
    expect(group?.IpPermissions?.[0]?.UserIdGroupPairs?.map((p) => p.GroupId)).toEqual([group?.GroupId]);
    expect(group?.IpPermissions?.[0]?.IpRanges).toEqual([]);
    expect(group?.IpPermissionsEgress?.[0]?.IpRanges?.[0]?.CidrIp).toBe("0.0.0.0/0");
    const byName = await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["default"] }));
    expect(byName.SecurityGroups?.map((g) => g.GroupId)).toEqual([group?.GroupId]);
    const byId = await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [group?.GroupId ?? ""] }));
    expect(byId.SecurityGroups?.map((g) => g.GroupName)).toEqual(["default"]);
  });

  it.each([
    [
      "an unknown VPC id",
      () => new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] }),
      "InvalidVpcID.NotFound",
    ],
    ["a malformed VPC id", () => new DescribeVpcsCommand({ VpcIds: ["vpc-nope"] }), "InvalidVpcID.Malformed"],
    [
      "an unknown subnet id",
      () => new DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] }),
      "InvalidSubnetID.NotFound",
    ],
    [
      "a malformed subnet id",
      () => new DescribeSubnetsCommand({ SubnetIds: ["subnet-local"] }),
      "InvalidSubnetID.Malformed",
    ],
    [
      "an unknown security group id",
      () => new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] }),
      "InvalidGroup.NotFound",
    ],
    [
      "an unknown security group name",
      () => new DescribeSecurityGroupsCommand({ GroupNames: ["web"] }),
      "InvalidGroup.NotFound",
    ],
    [
      "a filter EC2 does not know",
      () => new DescribeSubnetsCommand({ Filters: [{ Name: "zone", Values: ["a"] }] }),
      "InvalidParameterValue",
    ],
    ["MaxResults below 5", () => new DescribeVpcsCommand({ MaxResults: 2 }), "InvalidParameterValue"],
  ] as const)("refuses %s", async (_what, command, name) => {
    const h = await testHarness();
    const error = await errorOf((h.ec2 as { send(c: unknown): Promise<unknown> }).send(command()));
    expect(error.name).toBe(name);
  });

  it("puts a task's ENI in the default subnet it was given, in that subnet's zone", async () => {
    const h = await testHarness();
    const subnets = await defaultSubnets(h);
    expect(subnets).toHaveLength(3);
    const arn = await runOne(h, {
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [subnets[1] ?? ""], assignPublicIp: "ENABLED" },
      },
    });
    const task = await waitForStatus(h, arn, "RUNNING");
    expect(task.availabilityZone).toBe("us-east-1b");
    const eniId = task.attachments?.[0]?.details?.find((d) => d.name === "networkInterfaceId")?.value ?? "";
    const eni = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })))
      .NetworkInterfaces?.[0];
    expect(eni).toMatchObject({ SubnetId: subnets[1], AvailabilityZone: "us-east-1b" });
  });

  it("finds no VPC, subnet or security group with defaultVpc: false", async () => {
    const h = await testHarness({ defaultVpc: false, subnets: [] });
    expect(await defaultSubnets(h)).toEqual([]);
    expect((await h.ec2.send(new DescribeSubnetsCommand({}))).Subnets).toEqual([]);
    expect((await h.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups).toEqual([]);
    const error = await errorOf(h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["default"] })));
    expect(error.name).toBe("InvalidGroup.NotFound");
  });
});
