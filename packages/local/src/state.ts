import { randomBytes, randomUUID } from "node:crypto";
import type {
  CapacityProviderStrategyItem,
  ContainerDefinition,
  Tag,
  TaskDefinition,
  TaskOverride,
} from "@aws-sdk/client-ecs";
import type { NormalizedConfig } from "./config.js";
import type { Wire } from "./protocols/wire.js";
import type { TaskProcess } from "./tasks/process.js";

export type TaskStatus = "PROVISIONING" | "PENDING" | "RUNNING" | "DEPROVISIONING" | "STOPPED";
export type StopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "SpotInterruption";

export interface ClusterRecord {
  name: string;
  arn: string;
  createdAt: number;
  capacityProviders: string[];
  defaultStrategy: Wire<CapacityProviderStrategyItem>[];
  tags: Tag[];
}

export interface TaskDefRecord {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  def: Wire<TaskDefinition>;
  tags: Tag[];
  /** Why the definition cannot run on Fargate (empty: it can). */
  fargateProblems: string[];
}

export interface PortBinding {
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
}

export interface ContainerRecord {
  def: Wire<ContainerDefinition>;
  name: string;
  image: string;
  essential: boolean;
  arn: string;
  runtimeId: string;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode?: number;
  reason?: string;
  ports: PortBinding[];
  gpuIds: string[];
  process?: TaskProcess;
  killTimer?: NodeJS.Timeout;
  log?: { group: string; stream: string };
  /** The container's health check result (UNKNOWN until the first check, or without a check). */
  health?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  healthCheck?: { stop(): void };
}

export interface InstanceRecord {
  id: string;
  arn: string;
  ec2InstanceId: string;
  cluster: ClusterRecord;
  provider: string;
  instanceType: string;
  privateIp: string;
  cpu: number;
  memory: number;
  gpuIds: string[];
  usedCpu: number;
  usedMemory: number;
  usedGpus: Set<string>;
  usedPorts: Set<number>;
  tasks: Set<string>;
  launchedAt: number;
  registeredAt?: number;
}

export interface TaskRecord {
  id: string;
  arn: string;
  cluster: ClusterRecord;
  taskDef: TaskDefRecord;
  launchType: "FARGATE" | "EC2";
  capacityProviderName?: string;
  spot: boolean;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  startedBy?: string;
  group: string;
  tags: Tag[];
  overrides: Wire<TaskOverride>;
  cpu: number;
  memory: number;
  gpus: number;
  networkMode: string;
  /** The zone of its subnet (awsvpc), else the region's first. */
  availabilityZone: string;
  createdAt: number;
  connectivityAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stopCode?: StopCode;
  stoppedReason?: string;
  containers: ContainerRecord[];
  eni?: {
    id: string;
    attachmentId: string;
    subnetId: string;
    privateIp: string;
    publicIp?: string;
    mac: string;
    securityGroups: string[];
  };
  instance?: InstanceRecord;
  assignPublicIp: boolean;
  /** Fargate platform version the task runs on (undefined on EC2). */
  platformVersion?: string;
  version: number;
  timers: Set<NodeJS.Timeout>;
}

export const hex = (bytes: number): string => randomBytes(bytes).toString("hex");
export const newTaskId = (): string => hex(16);
export const newEniId = (): string => `eni-${hex(9).slice(0, 17)}`;
export const newInstanceId = (): string => `i-${hex(9).slice(0, 17)}`;
export const newUuid = (): string => randomUUID();

/** Everything the endpoint knows; the API handlers read and change it. */
export class Store {
  readonly clusters = new Map<string, ClusterRecord>();
  readonly taskDefs = new Map<string, TaskDefRecord[]>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  /** EC2 tags (CreateTags) by resource id. */
  readonly ec2Tags = new Map<string, { Key: string; Value: string }[]>();
  /** clientToken per cluster → the params hash and the tasks it produced. */
  readonly tokens = new Map<string, { hash: string; taskArns: string[]; failures: unknown[]; at: number }>();

  constructor(readonly config: NormalizedConfig) {}

  arn(resource: string): string {
    return `arn:aws:ecs:${this.config.region}:${this.config.accountId}:${resource}`;
  }

  addCluster(name: string, tags: Tag[] = []): ClusterRecord {
    const existing = this.clusters.get(name);
    if (existing) return existing;
    const record: ClusterRecord = {
      name,
      arn: this.arn(`cluster/${name}`),
      createdAt: Date.now(),
      capacityProviders: [],
      defaultStrategy: [],
      tags,
    };
    this.clusters.set(name, record);
    return record;
  }
}

/** A cluster name from a name or ARN (`arn:aws:ecs:region:account:cluster/name`). */
export const clusterName = (ref: string): string =>
  ref.replace(/^arn:aws[a-z-]*:ecs:[^:]*:\d*:cluster\//, "");

/** A task id from an id or ARN (`…:task/cluster/id` or the old `…:task/id`). */
export const taskIdOf = (ref: string): string =>
  ref.replace(/^arn:aws[a-z-]*:ecs:[^:]*:\d*:task\/(?:[^/]+\/)?/, "");
