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
    if (gpu && !compat.includes("EC2"))
      problems.push(`${cpath}.ResourceRequirements: a GPU task must require EC2`);
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
