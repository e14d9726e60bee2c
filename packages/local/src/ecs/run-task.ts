import { createHash } from "node:crypto";
import type { AwsVpcConfiguration, Failure, RunTaskCommandOutput, Tag } from "@aws-sdk/client-ecs";
import type { Engine } from "../engine.js";
import { ApiError, clientError, invalidParameter, throttled } from "../errors.js";
import { defaultGroupOfVpc, findSubnet, zoneOfSubnet } from "../network.js";
import type { Wire, WireOutput } from "../protocols/wire.js";
import {
  type ContainerRecord,
  hex,
  newEniId,
  newTaskId,
  newUuid,
  type TaskDefRecord,
  type TaskRecord,
} from "../state.js";
import { optInt, optList, optObject, optString, reqString } from "../validate.js";
import { resolveCluster } from "./clusters.js";
import { validateOverrides } from "./overrides.js";
import { type Placement, planPlacements } from "./placement.js";
import { containerGpus, findTaskDefinition } from "./task-definitions.js";
import { taskView } from "./task-view.js";
import {
  fargateSizeProblems,
  parseCpu,
  parseMemory,
  validateClientToken,
  validateStartedBy,
  validateTags,
} from "./validation.js";

const TOKEN_TTL_MS = 24 * 3600 * 1000;

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function validateNetwork(
  input: Record<string, unknown>,
  taskDef: TaskDefRecord,
  engine: Engine,
): Wire<AwsVpcConfiguration> | undefined {
  const network = optObject(input, "networkConfiguration");
  const awsvpc = network?.["awsvpcConfiguration"] as Wire<AwsVpcConfiguration> | undefined;
  if (taskDef.def.networkMode !== "awsvpc") {
    if (awsvpc)
      throw invalidParameter(
        "Network Configuration is not valid for the given networkMode of this task definition.",
      );
    return undefined;
  }
  if (!awsvpc)
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const subnets = awsvpc.subnets;
  if (!Array.isArray(subnets) || subnets.length === 0) throw invalidParameter("subnets can not be empty.");
  if (subnets.length > 16) throw invalidParameter("subnets can have at most 16 items.");
  const bad = subnets.find((s) => typeof s !== "string" || !/^subnet-[0-9a-zA-Z]+$/.test(s));
  if (bad !== undefined)
    throw invalidParameter(
      `Error retrieving subnet information for [${String(bad)}]: The subnet ID '${String(bad)}' is malformed`,
    );
  // ECS looks every subnet up in EC2 and words a missing one as EC2 does.
  const missing = subnets.find((s) => !findSubnet(engine, s));
  if (missing !== undefined)
    throw invalidParameter(
      `Error retrieving subnet information for [${missing}]: The subnet ID '${missing}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
    );
  const vpcs = new Set(subnets.map((s) => findSubnet(engine, s)?.VpcId));
  if (vpcs.size > 1) throw invalidParameter("The subnets must all belong to the same VPC.");
  const given = awsvpc.securityGroups ?? [];
  // No security groups: the VPC's default group, as on AWS.
  const fallback = defaultGroupOfVpc([...vpcs][0]);
  const groups = given.length > 0 || fallback === undefined ? given : [fallback];
  if (groups.length > 5) throw invalidParameter("securityGroups can have at most 5 items.");
  const badGroup = groups.find((g) => typeof g !== "string" || !/^sg-[0-9a-zA-Z]+$/.test(g));
  if (badGroup !== undefined)
    throw invalidParameter(
      `Error retrieving security group information for [${String(badGroup)}]: The security group '${String(badGroup)}' is malformed`,
    );
  const assign = awsvpc.assignPublicIp ?? "DISABLED";
  if (assign !== "ENABLED" && assign !== "DISABLED")
    throw invalidParameter("assignPublicIp must be ENABLED or DISABLED.");
  return { ...awsvpc, securityGroups: groups, assignPublicIp: assign };
}

/** Task-level cpu/memory: overrides, else the definition's task level, else the sum over containers. */
function taskSize(taskDef: TaskDefRecord, overrides: ReturnType<typeof validateOverrides>) {
  const containers = taskDef.def.containerDefinitions ?? [];
  const cpu = parseCpu(overrides.cpu ?? taskDef.def.cpu) ?? containers.reduce((n, c) => n + (c.cpu ?? 0), 0);
  const memory =
    parseMemory(overrides.memory ?? taskDef.def.memory) ??
    containers.reduce((n, c) => n + (c.memory ?? c.memoryReservation ?? 0), 0);
  return { cpu, memory, gpus: containers.reduce((n, c) => n + containerGpus(c), 0) };
}

export function runTask(input: Record<string, unknown>, engine: Engine): WireOutput<RunTaskCommandOutput> {
  const { store } = engine;
  const cluster = resolveCluster(store, optString(input, "cluster"));
  const taskDefRef = reqString(input, "taskDefinition");
  const count = optInt(input, "count") ?? 1;
  if (count < 1 || count > 10) throw invalidParameter(`count must be between 1 and 10, got ${count}.`);
  const taskDef = findTaskDefinition(store, taskDefRef);
  // ClientException: "specifying an identifier that isn't valid" (as ECS answers CreateService too).
  if (!taskDef) throw clientError("TaskDefinition not found.");
  if (taskDef.status !== "ACTIVE") throw clientError("TaskDefinition is inactive");
  const startedBy = validateStartedBy(input["startedBy"]);
  const clientToken = validateClientToken(input["clientToken"]);
  const userTags = validateTags(input["tags"]);
  const propagate = optString(input, "propagateTags");
  if (propagate !== undefined && !["TASK_DEFINITION", "SERVICE", "NONE"].includes(propagate)) {
    throw invalidParameter(`Invalid propagateTags value: ${propagate}`);
  }
  if (propagate === "SERVICE")
    throw invalidParameter(
      "SERVICE is not a valid propagateTags value for RunTask: tasks run by RunTask have no service.",
    );
  const tags: Wire<Tag>[] = [
    ...(propagate === "TASK_DEFINITION"
      ? taskDef.tags.filter((t) => !userTags.some((u) => u.key === t.key))
      : []),
    ...userTags,
  ];
  if (tags.length > 50)
    throw invalidParameter(`Too many tags: at most 50 tags are allowed, got ${tags.length}.`);
  if (input["enableECSManagedTags"] === true) tags.push({ key: "aws:ecs:clusterName", value: cluster.name });
  const group = optString(input, "group") ?? `family:${taskDef.family}`;
  if (group.length > 255) throw invalidParameter("group can be at most 255 characters.");
  const overrides = validateOverrides(input["overrides"], taskDef);
  const awsvpc = validateNetwork(input, taskDef, engine);
  // "up to 10 constraints for each task (including constraints in the task definition…)" and
  // "a maximum of 5 strategy rules for each task" (RunTask API reference).
  const constraints = [
    ...(taskDef.def.placementConstraints ?? []),
    ...(optList(input, "placementConstraints") ?? []),
  ];
  if (constraints.length > 10)
    throw invalidParameter(`At most 10 placement constraints are allowed, got ${constraints.length}.`);
  const placementStrategy = optList(input, "placementStrategy") ?? [];
  if (placementStrategy.length > 5)
    throw invalidParameter(
      `At most 5 placement strategy rules are allowed, got ${placementStrategy.length}.`,
    );
  const strategy = optList(input, "capacityProviderStrategy");
  const placements = planPlacements(store, cluster, optString(input, "launchType"), strategy as never, count);
  const platformVersion = validatePlatformVersion(optString(input, "platformVersion"), placements);
  const size = taskSize(taskDef, overrides);
  if (placements.some((p) => p.launchType === "FARGATE")) {
    if (!taskDef.def.compatibilities?.includes("FARGATE")) {
      throw invalidParameter(
        `Task definition does not support launch_type FARGATE. ${taskDef.fargateProblems.join(" ")}`.trim(),
      );
    }
    const problems = fargateSizeProblems(size.cpu, size.memory);
    if (problems.length > 0) throw invalidParameter(problems.join(" "));
  }
  if (awsvpc?.assignPublicIp === "ENABLED" && placements.some((p) => p.launchType === "EC2")) {
    throw invalidParameter("Assign public IP is not supported for this launch type.");
  }
  if (placements.some((p) => p.launchType === "EC2" && !p.capacityProvider)) {
    const any = [...store.instances.values()].some(
      (i) => i.cluster === cluster && i.registeredAt !== undefined,
    );
    if (!any) throw invalidParameter("No Container Instances were found in your cluster.");
  }

  const tokenKey = clientToken ? `${cluster.name}\n${clientToken}` : undefined;
  if (tokenKey) {
    const { clientToken: _ignored, ...rest } = input;
    const hash = createHash("sha256").update(stableJson(rest)).digest("hex");
    const previous = store.tokens.get(tokenKey);
    if (previous && Date.now() - previous.at < TOKEN_TTL_MS) {
      if (previous.hash !== hash) {
        throw new ApiError(
          "ConflictException",
          "The request uses the same client token as a previous, but non-identical request. Do not reuse a client token with different requests, unless the requests are identical.",
          { extra: { resourceIds: previous.taskArns } },
        );
      }
      const tasks = previous.taskArns
        .map((arn) => store.tasks.get(arn.split("/").at(-1) ?? ""))
        .filter((t) => t !== undefined);
      return { tasks: tasks.map((t) => taskView(t, false)), failures: previous.failures as Wire<Failure>[] };
    }
    store.tokens.set(tokenKey, { hash, taskArns: [], failures: [], at: Date.now() });
  }

  const fargate = placements.filter((p) => p.launchType === "FARGATE");
  if (
    !engine.rateLimiter.allowRunTask({
      fargateCall: fargate.length > 0,
      onDemandLaunches: fargate.filter((p) => !p.spot).length,
      spotLaunches: fargate.filter((p) => p.spot).length,
    })
  ) {
    if (tokenKey) store.tokens.delete(tokenKey);
    throw throttled();
  }

  const failures: Wire<Failure>[] = [];
  const launched: TaskRecord[] = [];
  for (const placement of placements) {
    const task = newTask(engine, {
      cluster,
      taskDef,
      placement,
      startedBy,
      tags,
      group,
      overrides,
      awsvpc,
      size,
      platformVersion,
    });
    const reason = placementFailure(engine, task, placement);
    if (reason) {
      failures.push(reason);
      continue;
    }
    store.tasks.set(task.id, task);
    launched.push(task);
  }
  if (tokenKey)
    store.tokens.set(tokenKey, {
      ...(store.tokens.get(tokenKey) ?? { hash: "", at: Date.now() }),
      taskArns: launched.map((t) => t.arn),
      failures,
    });
  const views = launched.map((t) => taskView(t, false));
  for (const task of launched) engine.lifecycle.launch(task);
  return { tasks: views, failures };
}

function placementFailure(engine: Engine, task: TaskRecord, placement: Placement): Wire<Failure> | undefined {
  const faultReason = engine.faults.placementFailure(placement.launchType, placement.capacityProvider);
  if (faultReason) return { reason: faultReason };
  if (placement.launchType !== "EC2") return undefined;
  if (placement.capacityProvider) {
    const never = engine.capacity.neverFits(task, placement.capacityProvider);
    return never ? { reason: never } : undefined;
  }
  const placed = engine.capacity.place(task);
  return typeof placed === "string" ? { reason: placed } : undefined;
}

interface NewTask {
  cluster: TaskRecord["cluster"];
  taskDef: TaskDefRecord;
  placement: Placement;
  startedBy: string | undefined;
  tags: Wire<Tag>[];
  group: string;
  overrides: TaskRecord["overrides"];
  awsvpc: Wire<AwsVpcConfiguration> | undefined;
  size: { cpu: number; memory: number; gpus: number };
  platformVersion: string | undefined;
}

/** Linux Fargate platform versions still offered; LATEST is 1.4.0. */
const PLATFORM_VERSIONS: Record<string, string> = { LATEST: "1.4.0", "1.4.0": "1.4.0", "1.3.0": "1.3.0" };

/** "A platform version is only specified for tasks hosted on Fargate" (RunTask API reference). */
function validatePlatformVersion(value: string | undefined, placements: Placement[]): string | undefined {
  const fargate = placements.some((p) => p.launchType === "FARGATE");
  if (value === undefined) return fargate ? "1.4.0" : undefined;
  if (!fargate)
    throw invalidParameter("The platform version must be null when specifying an EC2 launch type.");
  const version = PLATFORM_VERSIONS[value];
  if (!version)
    throw new ApiError("PlatformUnknownException", `The specified platform version ${value} does not exist.`);
  return version;
}

function newTask(engine: Engine, n: NewTask): TaskRecord {
  const id = newTaskId();
  const arn = engine.store.arn(`task/${n.cluster.name}/${id}`);
  const containers: ContainerRecord[] = (n.taskDef.def.containerDefinitions ?? []).map((def) => ({
    def,
    name: def.name ?? "",
    image: def.image ?? "",
    essential: def.essential ?? true,
    arn: engine.store.arn(`container/${n.cluster.name}/${id}/${newUuid()}`),
    runtimeId: `${id}-${hex(5)}`,
    lastStatus: "PENDING",
    ports: [],
    gpuIds: [],
  }));
  return {
    id,
    arn,
    cluster: n.cluster,
    taskDef: n.taskDef,
    launchType: n.placement.launchType,
    capacityProviderName: n.placement.capacityProvider,
    spot: n.placement.spot,
    lastStatus: "PROVISIONING",
    desiredStatus: "RUNNING",
    startedBy: n.startedBy,
    group: n.group,
    tags: n.tags.map((t) => ({ ...t })),
    overrides: n.overrides,
    ...n.size,
    networkMode: n.taskDef.def.networkMode ?? "bridge",
    availabilityZone: n.awsvpc
      ? zoneOfSubnet(engine, n.awsvpc.subnets?.[0] ?? "")
      : `${engine.config.region}a`,
    createdAt: Date.now(),
    containers,
    eni: n.awsvpc
      ? {
          id: newEniId(),
          attachmentId: newUuid(),
          subnetId: n.awsvpc.subnets?.[0] ?? "",
          privateIp: "",
          mac: `02:${hex(5).match(/../g)?.join(":")}`,
          securityGroups: n.awsvpc.securityGroups ?? [],
        }
      : undefined,
    assignPublicIp: n.awsvpc?.assignPublicIp === "ENABLED",
    platformVersion: n.platformVersion,
    version: 1,
    timers: new Set(),
  };
}
