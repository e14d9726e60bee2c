import type {
  DescribeInstancesResult,
  DescribeNetworkInterfacesResult,
  Instance,
  NetworkInterface,
} from "@aws-sdk/client-ec2";
import { checkIds, matches } from "./ec2-filters.js";
import type { Engine } from "./engine.js";
import { ApiError } from "./errors.js";
import { allSecurityGroups, DEFAULT_VPC_ID, defaultSubnetId, findSubnet, tagsOf } from "./network.js";
import { type QueryInput, queryFilters, queryList } from "./protocols/ec2-query.js";
import type { TaskRecord } from "./state.js";

const dns = (ip: string) => `ip-${ip.replaceAll(".", "-")}.ec2.internal`;
const publicDns = (ip: string) => `ec2-${ip.replaceAll(".", "-")}.compute-1.amazonaws.com`;

function eniView(engine: Engine, task: TaskRecord): NetworkInterface {
  const eni = task.eni;
  if (!eni) throw new Error("task without ENI");
  const groups = new Map(allSecurityGroups(engine).map((g) => [g.GroupId ?? "", g.GroupName ?? ""]));
  const association = eni.publicIp
    ? { PublicIp: eni.publicIp, PublicDnsName: publicDns(eni.publicIp), IpOwnerId: "amazon" }
    : undefined;
  return {
    NetworkInterfaceId: eni.id,
    SubnetId: eni.subnetId,
    VpcId: findSubnet(engine, eni.subnetId)?.VpcId,
    AvailabilityZone: task.availabilityZone,
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
    // The group's name, as EC2 reports it (a group the account does not have keeps its id).
    Groups: eni.securityGroups.map((id) => ({ GroupId: id, GroupName: groups.get(id) ?? id })),
    TagSet: tagsOf(engine, eni.id),
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

export function describeNetworkInterfaces(
  input: QueryInput,
  engine: Engine,
): DescribeNetworkInterfacesResult {
  const ids = queryList(input.params, "NetworkInterfaceId");
  checkIds(ids, "eni", "InvalidNetworkInterfaceID.Malformed", "eni-...");
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
    .map((t) => eniView(engine, t))
    .filter((n) =>
      matches(filters, n.TagSet, {
        "network-interface-id": n.NetworkInterfaceId,
        "private-ip-address": n.PrivateIpAddress,
        "addresses.private-ip-address": n.PrivateIpAddress,
        "addresses.primary": "true",
        "association.public-ip": n.Association?.PublicIp,
        "association.public-dns-name": n.Association?.PublicDnsName,
        "association.ip-owner-id": n.Association?.IpOwnerId,
        "subnet-id": n.SubnetId,
        "vpc-id": n.VpcId,
        "availability-zone": n.AvailabilityZone,
        description: n.Description,
        "group-id": n.Groups?.map((g) => g.GroupId ?? ""),
        "group-name": n.Groups?.map((g) => g.GroupName ?? ""),
        "mac-address": n.MacAddress,
        "owner-id": n.OwnerId,
        "requester-id": n.RequesterId,
        "requester-managed": String(n.RequesterManaged),
        "source-dest-check": String(n.SourceDestCheck),
        "private-dns-name": n.PrivateDnsName,
        "interface-type": n.InterfaceType,
        "attachment.attachment-id": n.Attachment?.AttachmentId,
        "attachment.status": n.Attachment?.Status,
        "attachment.device-index": String(n.Attachment?.DeviceIndex),
        "attachment.instance-owner-id": n.Attachment?.InstanceOwnerId,
        status: n.Status,
      }),
    );
  return { NetworkInterfaces };
}

/** An ECS-managed Auto Scaling instance carries these. */
const instanceTags = (provider: string) => [
  { Key: "AmazonECSManaged", Value: "" },
  { Key: "aws:autoscaling:groupName", Value: provider },
];

export function describeInstances(input: QueryInput, engine: Engine): DescribeInstancesResult {
  const ids = queryList(input.params, "InstanceId");
  checkIds(ids, "i", "InvalidInstanceID.Malformed", "i-...");
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
      matches(filters, instanceTags(i.provider), {
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
        SubnetId: defaultSubnetId("a"),
        VpcId: DEFAULT_VPC_ID,
        Placement: { AvailabilityZone: `${engine.config.region}a` },
        Architecture: "x86_64",
        Tags: instanceTags(i.provider),
      };
      return {
        ReservationId: `r-${i.ec2InstanceId.slice(2)}`,
        OwnerId: engine.config.accountId,
        Instances: [instance],
      };
    });
  return { Reservations };
}
