import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { NoDefaultVpcError } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { admitsPortFromAddresses } from "../../src/ecs/default-network.js";
import { quietLogger } from "../../src/logger.js";
import { hasPublicIp, needsAwsvpc, resolveRunNetwork } from "../../src/run/network.js";
import { testContext } from "./aws-context.js";

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const fargate = { type: "FARGATE" } as const;
const td = { networkMode: "awsvpc", containerPort: 8080 };
const request = (patch: Record<string, unknown> = {}) => ({
  subnets: undefined,
  securityGroups: undefined,
  assignPublicIp: undefined,
  endpoint: undefined,
  ...patch,
});

function defaultVpcAccount(): void {
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: "vpc-1", IsDefault: true }] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: "subnet-b", AvailabilityZone: "us-east-1b", State: "available" },
      { SubnetId: "subnet-a", AvailabilityZone: "us-east-1a", State: "available" },
    ],
  });
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: "sg-default", GroupName: "default", IpPermissions: [] }],
  });
}

describe("the run's network", () => {
  it.each([
    ["FARGATE", { type: "FARGATE" }, "bridge", true],
    ["FARGATE_SPOT", { type: "FARGATE_SPOT" }, "bridge", true],
    ["EC2 with an awsvpc task definition", { type: "EC2" }, "awsvpc", true],
    ["EC2 in bridge mode", { type: "EC2" }, "bridge", false],
    [
      "a capacity provider in host mode",
      { type: "CAPACITY_PROVIDER", capacityProviderStrategy: [] },
      "host",
      false,
    ],
  ] as const)("needs awsvpc for %s: %s", (_name, launch, networkMode, expected) => {
    expect(needsAwsvpc(launch, { networkMode })).toBe(expected);
  });

  it("asks EC2 for the default VPC, its default subnets and its default group, as the console does", async () => {
    defaultVpcAccount();
    const ctx = testContext();
    const network = await resolveRunNetwork(
      ctx,
      { network: undefined, launch: fargate, logger: quietLogger },
      td,
      "us-east-1",
    );
    expect(network).toEqual({
      subnets: ["subnet-a", "subnet-b"],
      securityGroups: ["sg-default"],
      assignPublicIp: true,
      endpoint: "public",
      defaultVpc: "vpc-1",
    });
    expect(ec2.commandCalls(DescribeVpcsCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: "is-default", Values: ["true"] }],
    });
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: "vpc-id", Values: ["vpc-1"] },
        { Name: "default-for-az", Values: ["true"] },
      ],
    });
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: "group-name", Values: ["default"] },
        { Name: "vpc-id", Values: ["vpc-1"] },
      ],
    });
  });

  it("keeps the groups, public IP and endpoint the caller gave with default-VPC subnets", async () => {
    defaultVpcAccount();
    const ctx = testContext();
    const network = await resolveRunNetwork(
      ctx,
      {
        network: request({ securityGroups: ["sg-mine"], assignPublicIp: false }),
        launch: fargate,
        logger: quietLogger,
      },
      td,
      "us-east-1",
    );
    expect(network).toMatchObject({
      securityGroups: ["sg-mine"],
      assignPublicIp: false,
      endpoint: "private",
    });
  });

  it("makes no EC2 call when subnets are given, or when the launch does not need awsvpc", async () => {
    const ctx = testContext();
    const given = await resolveRunNetwork(
      ctx,
      { network: request({ subnets: ["subnet-x"] }), launch: fargate, logger: quietLogger },
      td,
      "us-east-1",
    );
    expect(given).toEqual({
      subnets: ["subnet-x"],
      securityGroups: undefined,
      assignPublicIp: false,
      endpoint: "private",
      defaultVpc: undefined,
    });
    const bridge = await resolveRunNetwork(
      ctx,
      { network: undefined, launch: { type: "EC2" }, logger: quietLogger },
      { networkMode: "bridge", containerPort: 8080 },
      "us-east-1",
    );
    expect(bridge.subnets).toBeUndefined();
    expect(ec2.calls()).toHaveLength(0);
  });

  it.each([
    ["has no default VPC", { Vpcs: [] }, { Subnets: [] }, undefined],
    [
      "has a default VPC without default subnets",
      { Vpcs: [{ VpcId: "vpc-1", IsDefault: true }] },
      { Subnets: [] },
      "vpc-1",
    ],
  ])(
    "throws NoDefaultVpcError, naming what to pass, when the account %s",
    async (_name, vpcs, subnets, vpcId) => {
      ec2.on(DescribeVpcsCommand).resolves(vpcs);
      ec2.on(DescribeSubnetsCommand).resolves(subnets);
      const ctx = testContext();
      const error = await resolveRunNetwork(
        ctx,
        { network: undefined, launch: fargate, logger: quietLogger },
        td,
        "eu-west-1",
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoDefaultVpcError);
      expect(error).toMatchObject({ code: "NO_DEFAULT_VPC", region: "eu-west-1", vpcId });
      expect((error as Error).message).toContain("network.subnets");
      expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(0);
    },
  );

  it.each([
    [
      "only its own members (the default group)",
      [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-1" }] }],
      false,
    ],
    [
      "the port from anywhere",
      [{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      true,
    ],
    [
      "another port from anywhere",
      [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      false,
    ],
    ["all traffic from a range", [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }], true],
  ])("tells whether a group admits the worker port from addresses: %s", (_name, ingress, expected) => {
    expect(admitsPortFromAddresses(ingress, 8080)).toBe(expected);
  });
});

describe("which runs pay for public IPv4 addresses", () => {
  it("charges tasks launched into subnets with assignPublicIp, and no others", () => {
    const base = { securityGroups: undefined, endpoint: "public", defaultVpc: undefined } as const;
    expect(hasPublicIp({ ...base, subnets: ["subnet-1"], assignPublicIp: true })).toBe(true);
    expect(hasPublicIp({ ...base, subnets: ["subnet-1"], assignPublicIp: false })).toBe(false);
    // Bridge or host mode: RunTask carries no awsvpc configuration, so no address of the task's own.
    expect(hasPublicIp({ ...base, subnets: undefined, assignPublicIp: true })).toBe(false);
  });
});
