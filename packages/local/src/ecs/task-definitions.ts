import type {
  ContainerDefinition,
  DeregisterTaskDefinitionCommandOutput,
  DescribeTaskDefinitionCommandOutput,
  RegisterTaskDefinitionCommandOutput,
} from "@aws-sdk/client-ecs";
import { clientError, invalidParameter } from "../errors.js";
import { epochSeconds, type Wire, type WireOutput } from "../protocols/wire.js";
import type { Store, TaskDefRecord } from "../state.js";
import { healthCheckProblem } from "../tasks/health.js";
import { optList, optString, optStringList, reqString } from "../validate.js";
import { fargateSizeProblems, parseCpu, parseMemory, validateTags } from "./validation.js";

const NETWORK_MODES = ["bridge", "host", "awsvpc", "none"];
const COMPATIBILITIES = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];

/** GPUs a container asks for through `resourceRequirements`. */
export const containerGpus = (c: Wire<ContainerDefinition>): number =>
  (c.resourceRequirements ?? [])
    .filter((r) => r.type === "GPU")
    .reduce((n, r) => n + Number(r.value ?? 0), 0);

function normalizeContainer(raw: Record<string, unknown>, networkMode: string): Wire<ContainerDefinition> {
  const c = { ...raw } as Wire<ContainerDefinition>;
  const name = optString(raw, "name");
  if (!name || !/^[a-zA-Z0-9_-]{1,255}$/.test(name)) {
    throw clientError(`Container name is invalid: ${JSON.stringify(name ?? null)}`);
  }
  if (!optString(raw, "image"))
    throw clientError(`Container.image should not be null or empty (container ${name}).`);
  if (
    c.stopTimeout !== undefined &&
    (!Number.isInteger(c.stopTimeout) || c.stopTimeout < 2 || c.stopTimeout > 120)
  ) {
    throw clientError(
      `Invalid stopTimeout for container ${name}: must be 2-120 seconds, got ${c.stopTimeout}.`,
    );
  }
  const healthProblem = c.healthCheck ? healthCheckProblem(c.healthCheck, name) : undefined;
  if (healthProblem) throw clientError(healthProblem);
  for (const r of c.resourceRequirements ?? []) {
    if (r.type === "GPU" && !/^[1-9]\d*$/.test(r.value ?? "")) {
      throw clientError(`Invalid GPU resource requirement for container ${name}: ${JSON.stringify(r.value)}`);
    }
  }
  c.essential = c.essential ?? true;
  c.cpu = c.cpu ?? 0;
  c.environment = c.environment ?? [];
  c.mountPoints = c.mountPoints ?? [];
  c.volumesFrom = c.volumesFrom ?? [];
  c.portMappings = (c.portMappings ?? []).map((p) => {
    if (!Number.isInteger(p.containerPort) || (p.containerPort ?? 0) < 1 || (p.containerPort ?? 0) > 65535) {
      throw clientError(`Invalid containerPort for container ${name}: ${JSON.stringify(p.containerPort)}`);
    }
    const hostPort =
      networkMode === "awsvpc" || networkMode === "host" ? (p.hostPort ?? p.containerPort) : p.hostPort;
    if ((networkMode === "awsvpc" || networkMode === "host") && hostPort !== p.containerPort) {
      throw clientError(`When networkMode=${networkMode}, containerPort and hostPort must match.`);
    }
    return { ...p, hostPort, protocol: p.protocol ?? "tcp" };
  });
  return c;
}

function fargateProblems(def: Wire<import("@aws-sdk/client-ecs").TaskDefinition>): string[] {
  const problems: string[] = [];
  if (def.networkMode !== "awsvpc") problems.push("Fargate only supports network mode 'awsvpc'.");
  problems.push(...fargateSizeProblems(parseCpu(def.cpu), parseMemory(def.memory)));
  for (const c of def.containerDefinitions ?? []) {
    if (containerGpus(c) > 0) problems.push(`Fargate does not support GPU resources (container ${c.name}).`);
    const log = c.logConfiguration;
    // Fargate's agent writes awslogs with the execution role; there is no instance role to fall back on.
    if (log?.logDriver === "awslogs" && !def.executionRoleArn) {
      problems.push(
        "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
      );
    }
    if (log?.logDriver === "awslogs" && !log.options?.["awslogs-stream-prefix"]) {
      problems.push(`awslogs-stream-prefix is required for Fargate (container ${c.name}).`);
    }
  }
  return [...new Set(problems)];
}

export function registerTaskDefinition(
  input: Record<string, unknown>,
  store: Store,
): WireOutput<RegisterTaskDefinitionCommandOutput> {
  const family = reqString(input, "family");
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(family)) {
    throw clientError(
      "Family contains invalid characters or is too long (letters, numbers, hyphens, underscores; up to 255).",
    );
  }
  const networkMode = optString(input, "networkMode") ?? "bridge";
  if (!NETWORK_MODES.includes(networkMode)) throw clientError(`Invalid networkMode: ${networkMode}`);
  const requires = optStringList(input, "requiresCompatibilities") ?? [];
  const unknown = requires.find((r) => !COMPATIBILITIES.includes(r));
  if (unknown) throw clientError(`Invalid requiresCompatibilities value: ${unknown}`);
  const rawContainers = optList(input, "containerDefinitions") ?? [];
  if (rawContainers.length === 0) throw clientError("Container list cannot be empty.");
  const containers = rawContainers.map((c) => normalizeContainer(c, networkMode));
  const names = new Set<string>();
  for (const c of containers) {
    if (names.has(c.name ?? "")) throw clientError(`Duplicate container name: ${c.name}`);
    names.add(c.name ?? "");
  }
  if (!containers.some((c) => c.essential))
    throw clientError("A task definition must have at least one essential container.");
  const cpu = optString(input, "cpu");
  const memory = optString(input, "memory");
  if (Number.isNaN(parseCpu(cpu)) || Number.isNaN(parseMemory(memory))) {
    throw clientError(`Invalid task-level cpu or memory: ${JSON.stringify({ cpu, memory })}`);
  }
  if (memory === undefined) {
    const bare = containers.find((c) => c.memory === undefined && c.memoryReservation === undefined);
    if (bare) {
      throw clientError(
        `Invalid setting for container '${bare.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
  }
  const tags = validateTags(input["tags"]);
  const revisions = store.taskDefs.get(family) ?? [];
  const revision = (revisions.at(-1)?.revision ?? 0) + 1;
  const arn = store.arn(`task-definition/${family}:${revision}`);
  const def: Wire<import("@aws-sdk/client-ecs").TaskDefinition> = {
    ...(input as object),
    taskDefinitionArn: arn,
    family,
    revision,
    status: "ACTIVE",
    networkMode: networkMode as "bridge",
    containerDefinitions: containers,
    requiresCompatibilities: requires as "EC2"[],
    cpu,
    memory,
    volumes: (input["volumes"] as []) ?? [],
    placementConstraints: (input["placementConstraints"] as []) ?? [],
    registeredAt: epochSeconds(Date.now()),
    registeredBy: `arn:aws:iam::${store.config.accountId}:root`,
  };
  delete (def as Record<string, unknown>)["tags"];
  const problems = fargateProblems(def);
  if (requires.includes("FARGATE") && problems.length > 0)
    throw clientError(problems[0] ?? "Not Fargate compatible");
  def.compatibilities = ["EC2", ...(problems.length === 0 ? ["FARGATE" as const] : [])];
  const record: TaskDefRecord = {
    arn,
    family,
    revision,
    status: "ACTIVE",
    def,
    tags,
    fargateProblems: problems,
  };
  store.taskDefs.set(family, [...revisions, record]);
  return { taskDefinition: def, tags };
}

/** Find a task definition by family (latest ACTIVE), family:revision or ARN. */
export function findTaskDefinition(store: Store, ref: string): TaskDefRecord | undefined {
  const m = /^(?:arn:aws[a-z-]*:ecs:[^:]*:\d*:task-definition\/)?([a-zA-Z0-9_-]+)(?::(\d+))?$/.exec(ref);
  if (!m) return undefined;
  const revisions = store.taskDefs.get(m[1] ?? "") ?? [];
  if (m[2] === undefined) return revisions.filter((r) => r.status === "ACTIVE").at(-1);
  return revisions.find((r) => r.revision === Number(m[2]));
}

export function describeTaskDefinition(
  input: Record<string, unknown>,
  store: Store,
): WireOutput<DescribeTaskDefinitionCommandOutput> {
  const record = findTaskDefinition(store, reqString(input, "taskDefinition"));
  if (!record) throw clientError("Unable to describe task definition.");
  const include = optStringList(input, "include") ?? [];
  return { taskDefinition: record.def, tags: include.includes("TAGS") ? record.tags : undefined };
}

export function deregisterTaskDefinition(
  input: Record<string, unknown>,
  store: Store,
): WireOutput<DeregisterTaskDefinitionCommandOutput> {
  const ref = reqString(input, "taskDefinition");
  if (!/:\d+$/.test(ref))
    throw invalidParameter("TaskDefinition must include a revision (family:revision or full ARN).");
  const record = findTaskDefinition(store, ref);
  if (!record) throw clientError("The specified task definition does not exist.");
  record.status = "INACTIVE";
  record.def = { ...record.def, status: "INACTIVE", deregisteredAt: epochSeconds(Date.now()) };
  return { taskDefinition: record.def };
}
