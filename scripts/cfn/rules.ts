import { checkPolicyDocument } from "./policy.js";
import { FARGATE_SIZES, NESTED_KEYS } from "./spec.js";
import { isObject, type Json } from "./yaml.js";

type Section = { [key: string]: Json };

/**
 * Rules AWS enforces only at deploy time (or that we enforce on ourselves), checked here so a
 * broken template fails CI instead of a user's first `aws cloudformation deploy`.
 */
export function checkResourceRules(resources: Section, parameters: Section): string[] {
  const problems: string[] = [];
  // A literal, or a parameter's default: good enough to check the values we ship.
  const literal = (value: Json | undefined): string | undefined => {
    if (typeof value === "string" || typeof value === "number") return String(value);
    if (isObject(value) && typeof value["Ref"] === "string") {
      const p = parameters[value["Ref"]];
      const def = isObject(p) ? p["Default"] : undefined;
      return typeof def === "string" || typeof def === "number" ? String(def) : undefined;
    }
    return undefined;
  };

  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !isObject(resource["Properties"] ?? {})) continue;
    const props = (resource["Properties"] ?? {}) as Section;
    const path = `Resources.${id}.Properties`;
    switch (resource["Type"]) {
      case "AWS::ECS::TaskDefinition":
        problems.push(...checkTaskDefinition(path, props, literal));
        break;
      case "AWS::ECS::CapacityProvider":
        problems.push(...checkCapacityProvider(path, props, resources, literal));
        break;
      case "AWS::EC2::LaunchTemplate":
        problems.push(
          ...unknownKeys(`${path}.LaunchTemplateData`, props["LaunchTemplateData"], "LaunchTemplateData"),
        );
        if (isObject(props["LaunchTemplateData"]) && props["LaunchTemplateData"]["UserData"] !== undefined) {
          const userData = props["LaunchTemplateData"]["UserData"];
          if (!isObject(userData) || userData["Fn::Base64"] === undefined) {
            problems.push(`${path}.LaunchTemplateData.UserData: must be base64-encoded (Fn::Base64)`);
          }
        }
        break;
      case "AWS::IAM::Role":
        problems.push(
          ...checkPolicyDocument(
            `${path}.AssumeRolePolicyDocument`,
            props["AssumeRolePolicyDocument"],
            "trust",
          ),
        );
        break;
      case "AWS::IAM::ManagedPolicy":
        problems.push(...checkPolicyDocument(`${path}.PolicyDocument`, props["PolicyDocument"], "identity"));
        break;
    }
  }
  problems.push(...checkProvidersAssociated(resources));
  return problems;
}

// A capacity provider no cluster lists is created, billed for nothing, and never used.
function checkProvidersAssociated(resources: Section): string[] {
  const associations = Object.values(resources)
    .filter((r) => isObject(r) && r["Type"] === "AWS::ECS::ClusterCapacityProviderAssociations")
    .map((r) => JSON.stringify(r));
  return Object.entries(resources)
    .filter(([, r]) => isObject(r) && r["Type"] === "AWS::ECS::CapacityProvider")
    .filter(([id]) => !associations.some((a) => a.includes(JSON.stringify({ Ref: id }))))
    .map(
      ([id]) =>
        `Resources.${id}: no AWS::ECS::ClusterCapacityProviderAssociations lists this capacity provider`,
    );
}

function unknownKeys(path: string, value: Json | undefined, kind: string): string[] {
  if (!isObject(value)) return [];
  const allowed = NESTED_KEYS[kind] ?? [];
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${path}.${k}: not a key of ${kind}`);
}

function checkTaskDefinition(
  path: string,
  props: Section,
  literal: (v: Json | undefined) => string | undefined,
): string[] {
  const problems: string[] = [];
  const compat = Array.isArray(props["RequiresCompatibilities"]) ? props["RequiresCompatibilities"] : [];
  const fargate = compat.includes("FARGATE");
  const volumes = new Set(
    (Array.isArray(props["Volumes"]) ? props["Volumes"] : []).map((v) =>
      isObject(v) ? String(v["Name"]) : "",
    ),
  );
  const containers = Array.isArray(props["ContainerDefinitions"]) ? props["ContainerDefinitions"] : [];
  if (containers.length === 0)
    problems.push(`${path}.ContainerDefinitions: at least one container is required`);
  if (!containers.some((c) => isObject(c) && c["Essential"] !== false)) {
    problems.push(`${path}.ContainerDefinitions: at least one container must be essential`);
  }

  if (fargate) {
    if (props["NetworkMode"] !== "awsvpc") problems.push(`${path}.NetworkMode: Fargate requires awsvpc`);
    const cpu = literal(props["Cpu"]);
    const memory = Number(literal(props["Memory"]));
    const size = cpu === undefined ? undefined : FARGATE_SIZES[cpu];
    if (!size)
      problems.push(`${path}.Cpu: expected one of ${Object.keys(FARGATE_SIZES).join(", ")}, got ${cpu}`);
    else if (!fitsFargate(size, memory)) {
      problems.push(`${path}.Memory: ${memory} MiB is not a Fargate size for ${cpu} CPU units`);
    }
    for (const v of Array.isArray(props["Volumes"]) ? props["Volumes"] : []) {
      if (isObject(v) && isObject(v["Host"]) && v["Host"]["SourcePath"] !== undefined) {
        problems.push(`${path}.Volumes: Fargate does not support host paths (${String(v["Name"])})`);
      }
    }
  }

  if (compat.includes("MANAGED_INSTANCES")) problems.push(...checkManagedInstancesTask(path, props));

  const names = new Set<string>();
  containers.forEach((c, i) => {
    const cpath = `${path}.ContainerDefinitions[${i}]`;
    if (!isObject(c)) return;
    problems.push(...unknownKeys(cpath, c, "ContainerDefinition"));
    for (const key of ["Name", "Image"])
      if (c[key] === undefined) problems.push(`${cpath}: ${key} is required`);
    const name = String(c["Name"]);
    if (names.has(name)) problems.push(`${cpath}.Name: ${name} is used twice`);
    names.add(name);
    const stop = Number(literal(c["StopTimeout"]) ?? 30);
    if (fargate && (stop < 2 || stop > 120))
      problems.push(`${cpath}.StopTimeout: Fargate accepts 2-120 s, got ${stop}`);
    const gpu = (Array.isArray(c["ResourceRequirements"]) ? c["ResourceRequirements"] : []).some(
      (r) => isObject(r) && r["Type"] === "GPU",
    );
    if (gpu && fargate)
      problems.push(`${cpath}.ResourceRequirements: Fargate has no GPUs; use an EC2 capacity provider`);
    if (gpu && !compat.includes("EC2") && !compat.includes("MANAGED_INSTANCES"))
      problems.push(`${cpath}.ResourceRequirements: a GPU task must require EC2 or MANAGED_INSTANCES`);
    (Array.isArray(c["PortMappings"]) ? c["PortMappings"] : []).forEach((m, j) => {
      const mpath = `${cpath}.PortMappings[${j}]`;
      problems.push(...unknownKeys(mpath, m, "PortMapping"));
      if (!isObject(m) || m["HostPort"] === undefined) return;
      if (props["NetworkMode"] === "awsvpc" && literal(m["HostPort"]) !== literal(m["ContainerPort"])) {
        problems.push(`${mpath}.HostPort: with awsvpc it must equal ContainerPort`);
      }
    });
    for (const mp of Array.isArray(c["MountPoints"]) ? c["MountPoints"] : []) {
      if (isObject(mp) && !volumes.has(String(mp["SourceVolume"]))) {
        problems.push(`${cpath}.MountPoints: no volume named ${String(mp["SourceVolume"])}`);
      }
    }
    const log = c["LogConfiguration"];
    if (isObject(log) && log["LogDriver"] === "awslogs") {
      const options = isObject(log["Options"]) ? log["Options"] : {};
      for (const key of ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"]) {
        if (options[key] === undefined)
          problems.push(`${cpath}.LogConfiguration.Options: ${key} is required`);
      }
    }
  });
  return problems;
}

function fitsFargate(
  size: { min: number; max: number; step: number; only?: number[] },
  memory: number,
): boolean {
  if (size.only) return size.only.includes(memory);
  return memory >= size.min && memory <= size.max && (memory - size.min) % size.step === 0;
}

function checkCapacityProvider(
  path: string,
  props: Section,
  resources: Section,
  literal: (v: Json | undefined) => string | undefined,
): string[] {
  const problems: string[] = [];
  const name = props["Name"];
  const prefix =
    typeof name === "string"
      ? name
      : isObject(name) && typeof name["Fn::Sub"] === "string"
        ? name["Fn::Sub"]
        : literal(name);
  if (prefix !== undefined && /^(aws|ecs|fargate)/i.test(prefix)) {
    problems.push(`${path}.Name: capacity provider names may not start with aws, ecs or fargate`);
  }
  const asgp = props["AutoScalingGroupProvider"];
  if ((asgp === undefined) === (props["ManagedInstancesProvider"] === undefined))
    problems.push(`${path}: needs exactly one of AutoScalingGroupProvider and ManagedInstancesProvider`);
  if (props["ManagedInstancesProvider"] !== undefined)
    problems.push(...checkManagedInstancesProvider(path, props, resources, literal));
  problems.push(...unknownKeys(`${path}.AutoScalingGroupProvider`, asgp, "AutoScalingGroupProvider"));
  if (!isObject(asgp)) return problems;
  problems.push(
    ...unknownKeys(
      `${path}.AutoScalingGroupProvider.ManagedScaling`,
      asgp["ManagedScaling"],
      "ManagedScaling",
    ),
  );
  const asgRef = isObject(asgp["AutoScalingGroupArn"]) ? asgp["AutoScalingGroupArn"]["Ref"] : undefined;
  const asg = typeof asgRef === "string" ? resources[asgRef] : undefined;
  if (asgp["ManagedTerminationProtection"] === "ENABLED" && isObject(asg)) {
    const asgProps = isObject(asg["Properties"]) ? asg["Properties"] : {};
    if (asgProps["NewInstancesProtectedFromScaleIn"] !== true) {
      problems.push(
        `${path}.AutoScalingGroupProvider.ManagedTerminationProtection: needs NewInstancesProtectedFromScaleIn: true on ${asgRef}`,
      );
    }
  }
  return problems;
}

/**
 * Managed Instances tasks use awsvpc or host networking and cannot mount host paths (ECS
 * developer guide, "task definition differences for Amazon ECS Managed Instances").
 */
function checkManagedInstancesTask(path: string, props: Section): string[] {
  const problems: string[] = [];
  if (props["NetworkMode"] !== "awsvpc" && props["NetworkMode"] !== "host")
    problems.push(`${path}.NetworkMode: Managed Instances need awsvpc or host`);
  for (const key of ["EphemeralStorage", "IpcMode", "ProxyConfiguration"])
    if (props[key] !== undefined) problems.push(`${path}.${key}: not valid for Managed Instances tasks`);
  for (const v of Array.isArray(props["Volumes"]) ? props["Volumes"] : []) {
    if (isObject(v) && isObject(v["Host"]) && v["Host"]["SourcePath"] !== undefined)
      problems.push(`${path}.Volumes: Managed Instances do not support host paths (${String(v["Name"])})`);
  }
  return problems;
}

const getAttOf = (value: Json | undefined): string | undefined =>
  isObject(value) && Array.isArray(value["Fn::GetAtt"]) ? String(value["Fn::GetAtt"][0]) : undefined;

/** A literal, or the text of a `!Sub` (its `${…}` left as written). */
const textOf = (value: Json | undefined): string | undefined =>
  typeof value === "string"
    ? value
    : isObject(value) && typeof value["Fn::Sub"] === "string"
      ? value["Fn::Sub"]
      : undefined;

function required(path: string, value: Json | undefined, keys: readonly string[]): string[] {
  if (!isObject(value)) return [`${path}: expected an object`];
  return keys.filter((k) => value[k] === undefined).map((k) => `${path}: ${k} is required`);
}

function checkManagedInstancesProvider(
  path: string,
  props: Section,
  resources: Section,
  literal: (v: Json | undefined) => string | undefined,
): string[] {
  const mip = props["ManagedInstancesProvider"];
  const mpath = `${path}.ManagedInstancesProvider`;
  const problems: string[] = [
    ...unknownKeys(mpath, mip, "ManagedInstancesProvider"),
    ...required(mpath, mip, ["InfrastructureRoleArn", "InstanceLaunchTemplate"]),
  ];
  // "Managed instances capacity providers are cluster-scoped … This is required for Managed instances."
  if (props["ClusterName"] === undefined)
    problems.push(`${path}.ClusterName: a Managed Instances provider belongs to one cluster; name it`);
  if (!isObject(mip)) return problems;
  const lt = mip["InstanceLaunchTemplate"];
  const lpath = `${mpath}.InstanceLaunchTemplate`;
  problems.push(...unknownKeys(lpath, lt, "InstanceLaunchTemplate"));
  if (!isObject(lt)) return problems;
  problems.push(...required(lpath, lt, ["Ec2InstanceProfileArn", "NetworkConfiguration"]));
  problems.push(
    ...unknownKeys(
      `${lpath}.NetworkConfiguration`,
      lt["NetworkConfiguration"],
      "ManagedInstancesNetworkConfiguration",
    ),
  );
  const option = literal(lt["CapacityOptionType"]);
  if (option !== undefined && !["ON_DEMAND", "SPOT", "RESERVED"].includes(option))
    problems.push(`${lpath}.CapacityOptionType: expected ON_DEMAND, SPOT or RESERVED, got ${option}`);
  const req = lt["InstanceRequirements"];
  if (req !== undefined) {
    problems.push(...unknownKeys(`${lpath}.InstanceRequirements`, req, "InstanceRequirements"));
    problems.push(...required(`${lpath}.InstanceRequirements`, req, ["VCpuCount", "MemoryMiB"]));
  }
  problems.push(...checkInstanceRoleName(lpath, mip, lt, resources));
  return problems;
}

const MANAGED_INFRA_POLICY = "AmazonECSInfrastructureRolePolicyForManagedInstances";

/**
 * The managed infrastructure policy scopes iam:PassRole to roles named `ecsInstanceRole*`: an
 * instance role with another (or a generated) name fails at the first task launch.
 */
function checkInstanceRoleName(lpath: string, mip: Section, lt: Section, resources: Section): string[] {
  const infra = resources[getAttOf(mip["InfrastructureRoleArn"]) ?? ""];
  const infraProps = isObject(infra) && isObject(infra["Properties"]) ? infra["Properties"] : {};
  const policies = Array.isArray(infraProps["ManagedPolicyArns"]) ? infraProps["ManagedPolicyArns"] : [];
  if (!policies.some((p) => (textOf(p) ?? "").endsWith(`/${MANAGED_INFRA_POLICY}`))) return [];
  const profile = resources[getAttOf(lt["Ec2InstanceProfileArn"]) ?? ""];
  const profileProps = isObject(profile) && isObject(profile["Properties"]) ? profile["Properties"] : {};
  const roles = Array.isArray(profileProps["Roles"]) ? profileProps["Roles"] : [];
  return roles.flatMap((r) => {
    const id = isObject(r) && typeof r["Ref"] === "string" ? r["Ref"] : undefined;
    const role = id ? resources[id] : undefined;
    const name =
      isObject(role) && isObject(role["Properties"]) ? textOf(role["Properties"]["RoleName"]) : undefined;
    return name?.startsWith("ecsInstanceRole")
      ? []
      : [
          `${lpath}.Ec2InstanceProfileArn: ${MANAGED_INFRA_POLICY} passes only roles named ecsInstanceRole*; give ${id ?? "the instance role"} such a RoleName`,
        ];
  });
}
