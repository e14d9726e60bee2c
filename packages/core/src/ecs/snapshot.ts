import type { Task } from "@aws-sdk/client-ecs";

/** The parts of a DescribeTasks `Task` ecs-fanout reads, flattened. */
export interface TaskSnapshot {
  readonly taskArn: string;
  readonly taskId: string;
  readonly lastStatus: string | undefined;
  readonly desiredStatus: string | undefined;
  readonly launchType: string | undefined;
  readonly capacityProvider: string | undefined;
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  readonly createdAt: Date | undefined;
  readonly pullStartedAt: Date | undefined;
  readonly pullStoppedAt?: Date | undefined;
  readonly startedAt: Date | undefined;
  readonly stoppedAt: Date | undefined;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;
  /** ECS's reason on the named (or first) container, e.g. `CannotPullContainerError: …`. */
  readonly containerReason: string | undefined;
  /** Exit code of the named (or first) container, once it exited. */
  readonly exitCode: number | undefined;
  readonly startedBy: string | undefined;
  readonly group: string | undefined;
  readonly taskDefinitionArn: string | undefined;
  /** awsvpc: the ENI id from the task's attachment. */
  readonly eniId: string | undefined;
  /** awsvpc: the private IP ECS reports for the container, when it does. */
  readonly privateIp: string | undefined;
  /** EC2 launch: the container instance. */
  readonly containerInstanceArn: string | undefined;
  /** bridge/host: host ports of the containers by container port, for the named container. */
  readonly hostPorts: ReadonlyMap<number, number>;
  readonly gpus: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Last path part of a task ARN (the task id). */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}

const num = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Flattens a Task; `containerName` picks whose network bindings and GPUs count (default: the first container). */
export function snapshotOf(task: Task, containerName?: string): TaskSnapshot {
  const taskArn = task.taskArn ?? "";
  const eni = task.attachments?.find((a) => a.type === "ElasticNetworkInterface");
  const eniId = eni?.details?.find((d) => d.name === "networkInterfaceId")?.value;
  const eniIp = eni?.details?.find((d) => d.name === "privateIPv4Address")?.value;
  const containers = task.containers ?? [];
  const container = containers.find((c) => c.name === containerName) ?? containers[0];
  const hostPorts = new Map<number, number>();
  for (const b of container?.networkBindings ?? []) {
    if (b.containerPort !== undefined && b.hostPort !== undefined) hostPorts.set(b.containerPort, b.hostPort);
  }
  const tags: Record<string, string> = {};
  for (const t of task.tags ?? []) if (t.key !== undefined) tags[t.key] = t.value ?? "";
  return {
    taskArn,
    taskId: taskIdOf(taskArn),
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    launchType: task.launchType,
    capacityProvider: task.capacityProviderName,
    cpu: num(task.cpu),
    memory: num(task.memory),
    createdAt: task.createdAt,
    pullStartedAt: task.pullStartedAt,
    pullStoppedAt: task.pullStoppedAt,
    startedAt: task.startedAt,
    stoppedAt: task.stoppedAt,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    containerReason: container?.reason,
    exitCode: container?.exitCode,
    startedBy: task.startedBy,
    group: task.group,
    taskDefinitionArn: task.taskDefinitionArn,
    eniId,
    privateIp: container?.networkInterfaces?.[0]?.privateIpv4Address ?? eniIp,
    containerInstanceArn: task.containerInstanceArn,
    hostPorts,
    gpus: container?.gpuIds?.length ?? 0,
    tags,
  };
}
