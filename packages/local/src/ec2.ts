import type {
  DescribeInstancesResult,
  DescribeNetworkInterfacesResult,
  Instance,
  NetworkInterface,
} from "@aws-sdk/client-ec2";
import type { Engine } from "./engine.js";
import { ApiError } from "./errors.js";
import { type QueryFilter, type QueryInput, queryFilters, queryList } from "./protocols/ec2-query.js";
import type { TaskRecord } from "./state.js";

const dns = (ip: string) => `ip-${ip.replaceAll(".", "-")}.ec2.internal`;
const publicDns = (ip: string) => `ec2-${ip.replaceAll(".", "-")}.compute-1.amazonaws.com`;

function eniView(engine: Engine, task: TaskRecord): NetworkInterface {
  const eni = task.eni;
  if (!eni) throw new Error("task without ENI");
  const association = eni.publicIp
    ? { PublicIp: eni.publicIp, PublicDnsName: publicDns(eni.publicIp), IpOwnerId: "amazon" }
    : undefined;
  return {
    NetworkInterfaceId: eni.id,
    SubnetId: eni.subnetId,
    VpcId: "vpc-0local00000000000",
    AvailabilityZone: `${engine.config.region}a`,
    Description: `arn:aws:ecs:${engine.config.region}:${engine.config.accountId}:attachment/${eni.attachmentId}`,
    OwnerId: engine.config.accountId,
    RequesterId: "578734482556",
    RequesterManaged: true,
    Status: task.lastStatus === "DEPROVISIONING" ? "available" : "in-use",
    MacAddress: eni.mac,
    PrivateIpAddress: eni.privateIp,
    PrivateDnsName: dns(eni.privateIp),
    SourceDestCheck: true,
    InterfaceType: "interface",
    Groups: eni.securityGroups.map((id) => ({ GroupId: id, GroupName: id })),
    Association: association,
    Attachment: {
      AttachmentId: `ela-attach-${eni.id.slice(4)}`,
      DeviceIndex: 1,
      Status: "attached",
      InstanceOwnerId: "amazon-aws",
    },
    PrivateIpAddresses: [
      {
        Primary: true,
        PrivateIpAddress: eni.privateIp,
        PrivateDnsName: dns(eni.privateIp),
        Association: association,
      },
    ],
  };
}

function matches(filters: QueryFilter[], fields: Record<string, string | undefined>): boolean {
  return filters.every((f) => {
    if (!(f.name in fields)) throw new ApiError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
    const v = fields[f.name];
    return v !== undefined && f.values.includes(v);
  });
}

export function describeNetworkInterfaces(
  input: QueryInput,
  engine: Engine,
): DescribeNetworkInterfacesResult {
  const ids = queryList(input.params, "NetworkInterfaceId");
  const filters = queryFilters(input.params);
  const live = [...engine.store.tasks.values()].filter((t) => t.eni?.privateIp && t.lastStatus !== "STOPPED");
  const byId = new Map(live.map((t) => [t.eni?.id ?? "", t]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new ApiError(
      "InvalidNetworkInterfaceID.NotFound",
      `The networkInterface ID${missing.length > 1 ? "s" : ""} '${missing.join(", ")}' does not exist`,
    );
  }
  const chosen = (ids.length > 0 ? ids.map((id) => byId.get(id)) : live).filter((t) => t !== undefined);
  const NetworkInterfaces = chosen
    .filter((t) =>
      matches(filters, {
        "network-interface-id": t.eni?.id,
        "private-ip-address": t.eni?.privateIp,
        "addresses.private-ip-address": t.eni?.privateIp,
        "association.public-ip": t.eni?.publicIp,
        "subnet-id": t.eni?.subnetId,
        status: t.lastStatus === "DEPROVISIONING" ? "available" : "in-use",
      }),
    )
    .map((t) => eniView(engine, t));
  return { NetworkInterfaces };
}

export function describeInstances(input: QueryInput, engine: Engine): DescribeInstancesResult {
  const ids = queryList(input.params, "InstanceId");
  const filters = queryFilters(input.params);
  const all = [...engine.store.instances.values()].filter((i) => i.registeredAt !== undefined);
  const missing = ids.filter((id) => !all.some((i) => i.ec2InstanceId === id));
  if (missing.length > 0) {
    throw new ApiError(
      "InvalidInstanceID.NotFound",
      `The instance ID${missing.length > 1 ? "s" : ""} '${missing.join(", ")}' does not exist`,
    );
  }
  const Reservations = all
    .filter((i) => ids.length === 0 || ids.includes(i.ec2InstanceId))
    .filter((i) =>
      matches(filters, {
        "instance-id": i.ec2InstanceId,
        "private-ip-address": i.privateIp,
        "instance-state-name": "running",
        "instance-type": i.instanceType,
      }),
    )
    .map((i) => {
      const instance: Instance = {
        InstanceId: i.ec2InstanceId,
        InstanceType: i.instanceType as Instance["InstanceType"],
        ImageId: "ami-0ecs0local000000",
        LaunchTime: new Date(i.launchedAt),
        State: { Code: 16, Name: "running" },
        PrivateIpAddress: i.privateIp,
        PrivateDnsName: dns(i.privateIp),
        SubnetId: "subnet-0local0000000000",
        VpcId: "vpc-0local00000000000",
        Placement: { AvailabilityZone: `${engine.config.region}a` },
        Architecture: "x86_64",
        Tags: [
          { Key: "AmazonECSManaged", Value: "" },
          { Key: "aws:autoscaling:groupName", Value: i.provider },
        ],
      };
      return {
        ReservationId: `r-${i.ec2InstanceId.slice(2)}`,
        OwnerId: engine.config.accountId,
        Instances: [instance],
      };
    });
  return { Reservations };
}
