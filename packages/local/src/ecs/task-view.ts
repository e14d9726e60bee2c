import type { Attachment, Container, Task } from "@aws-sdk/client-ecs";
import { epochSeconds, type Wire } from "../protocols/wire.js";
import type { TaskRecord } from "../state.js";
import { taskHealth } from "../tasks/health.js";

const sec = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : epochSeconds(ms));

function eniAttachment(task: TaskRecord): Wire<Attachment>[] {
  const eni = task.eni;
  if (!eni) return [];
  const status =
    task.lastStatus === "STOPPED"
      ? "DELETED"
      : task.lastStatus === "DEPROVISIONING"
        ? "DETACHED"
        : eni.privateIp
          ? "ATTACHED"
          : "PRECREATED";
  const details = [
    { name: "subnetId", value: eni.subnetId },
    { name: "networkInterfaceId", value: eni.id },
    { name: "macAddress", value: eni.mac },
    ...(eni.privateIp
      ? [
          { name: "privateDnsName", value: `ip-${eni.privateIp.replaceAll(".", "-")}.ec2.internal` },
          { name: "privateIPv4Address", value: eni.privateIp },
        ]
      : []),
  ];
  return [{ id: eni.attachmentId, type: "ElasticNetworkInterface", status, details }];
}

/** The SDK's Task shape of a task record, as DescribeTasks, RunTask and StopTask answer it. */
export function taskView(task: TaskRecord, withTags: boolean): Wire<Task> {
  const containers: Wire<Container>[] = task.containers.map((c) => ({
    containerArn: c.arn,
    taskArn: task.arn,
    name: c.name,
    image: c.image,
    runtimeId: c.process ? c.runtimeId : undefined,
    lastStatus: c.lastStatus,
    exitCode: c.exitCode,
    reason: c.reason,
    networkBindings:
      task.networkMode === "awsvpc"
        ? []
        : c.ports.map((p) => ({
            bindIP: task.instance?.privateIp ?? "0.0.0.0",
            containerPort: p.containerPort,
            hostPort: p.hostPort,
            protocol: p.protocol,
          })),
    networkInterfaces: task.eni?.privateIp
      ? [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIp }]
      : [],
    healthStatus: c.health ?? "UNKNOWN",
    cpu: String(c.def.cpu ?? 0),
    memory: c.def.memory !== undefined ? String(c.def.memory) : undefined,
    memoryReservation: c.def.memoryReservation !== undefined ? String(c.def.memoryReservation) : undefined,
    gpuIds: c.gpuIds.length > 0 ? c.gpuIds : undefined,
  }));
  return {
    taskArn: task.arn,
    clusterArn: task.cluster.arn,
    taskDefinitionArn: task.taskDef.arn,
    containerInstanceArn: task.instance?.arn,
    availabilityZone: task.availabilityZone,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName,
    platformVersion: task.platformVersion,
    platformFamily: task.launchType === "FARGATE" ? "Linux" : undefined,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: taskHealth(
      task.containers.map((c) => ({
        essential: c.essential,
        health: c.health,
        checked: !!c.def.healthCheck,
      })),
    ),
    connectivity: task.connectivityAt !== undefined ? "CONNECTED" : undefined,
    connectivityAt: sec(task.connectivityAt),
    cpu: String(task.cpu),
    memory: String(task.memory),
    createdAt: sec(task.createdAt),
    pullStartedAt: sec(task.pullStartedAt),
    pullStoppedAt: sec(task.pullStoppedAt),
    startedAt: sec(task.startedAt),
    stoppingAt: sec(task.stoppingAt),
    executionStoppedAt: sec(task.executionStoppedAt),
    stoppedAt: sec(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    startedBy: task.startedBy,
    group: task.group,
    version: task.version,
    overrides: task.overrides,
    attachments: eniAttachment(task),
    containers,
    enableExecuteCommand: false,
    ephemeralStorage: task.launchType === "FARGATE" ? { sizeInGiB: 20 } : undefined,
    tags: withTags ? task.tags : undefined,
  };
}
