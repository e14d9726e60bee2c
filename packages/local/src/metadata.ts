import type { ContainerRecord, Store, TaskRecord } from "./state.js";

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function networks(task: TaskRecord) {
  const ip = task.eni?.privateIp ?? task.instance?.privateIp;
  return [
    {
      NetworkMode: task.networkMode,
      IPv4Addresses: ip ? [ip] : [],
      ...(task.eni
        ? {
            AttachmentIndex: 0,
            MACAddress: task.eni.mac,
            IPv4SubnetCIDRBlock: "127.0.0.0/8",
            PrivateDNSName: `ip-${task.eni.privateIp.replaceAll(".", "-")}.ec2.internal`,
            SubnetGatewayIpv4Address: "127.0.0.1/8",
          }
        : {}),
    },
  ];
}

function containerDoc(task: TaskRecord, c: ContainerRecord) {
  const known = c.lastStatus === "PENDING" ? "PENDING" : c.lastStatus;
  return {
    DockerId: c.runtimeId,
    Name: c.name,
    DockerName: `ecs-${task.taskDef.family}-${task.taskDef.revision}-${c.name}`,
    Image: c.image,
    ImageID: `sha256:${c.runtimeId.padEnd(64, "0").slice(0, 64)}`,
    Labels: {
      "com.amazonaws.ecs.cluster": task.cluster.arn,
      "com.amazonaws.ecs.container-name": c.name,
      "com.amazonaws.ecs.task-arn": task.arn,
      "com.amazonaws.ecs.task-definition-family": task.taskDef.family,
      "com.amazonaws.ecs.task-definition-version": String(task.taskDef.revision),
    },
    DesiredStatus: task.desiredStatus,
    KnownStatus: known,
    ExitCode: c.exitCode,
    Limits: { CPU: c.def.cpu ?? 0, Memory: c.def.memory ?? c.def.memoryReservation ?? task.memory },
    CreatedAt: iso(task.pullStoppedAt),
    StartedAt: iso(task.startedAt),
    FinishedAt: iso(task.executionStoppedAt),
    Type: "NORMAL",
    ContainerARN: c.arn,
    LogDriver: c.def.logConfiguration?.logDriver,
    LogOptions: c.def.logConfiguration?.options,
    Networks: networks(task),
    Ports: c.ports.map((p) => ({
      ContainerPort: p.containerPort,
      Protocol: p.protocol,
      HostPort: p.hostPort,
      HostIp: task.eni?.privateIp ?? task.instance?.privateIp,
    })),
  };
}

/**
 * Task metadata endpoint v4: `/v4/<taskId>` (the first container; `/v4/<taskId>.<name>` for
 * others) and `/task` beneath it. Undefined when the path names no task.
 */
export function metadataResponse(store: Store, path: string): unknown {
  const m = /^\/v4\/([0-9a-f]{32})(?:\.([a-zA-Z0-9_-]+))?(\/task)?\/?$/.exec(path);
  if (!m) return undefined;
  const task = store.tasks.get(m[1] ?? "");
  if (!task) return undefined;
  const container = m[2] === undefined ? task.containers[0] : task.containers.find((c) => c.name === m[2]);
  if (!container) return undefined;
  if (!m[3]) return containerDoc(task, container);
  return {
    Cluster: task.cluster.arn,
    TaskARN: task.arn,
    Family: task.taskDef.family,
    Revision: String(task.taskDef.revision),
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    Limits: { CPU: task.cpu / 1024, Memory: task.memory },
    PullStartedAt: iso(task.pullStartedAt),
    PullStoppedAt: iso(task.pullStoppedAt),
    ExecutionStoppedAt: iso(task.executionStoppedAt),
    AvailabilityZone: task.availabilityZone,
    LaunchType: task.launchType,
    Containers: task.containers.map((c) => containerDoc(task, c)),
    ...(task.launchType !== "FARGATE" && task.instance
      ? { ContainerInstanceTags: {}, ServiceName: undefined }
      : {}),
    ClockDrift: {
      ClockErrorBound: 0.5,
      ReferenceTimestamp: new Date().toISOString(),
      ClockSynchronizationStatus: "SYNCHRONIZED",
    },
  };
}
