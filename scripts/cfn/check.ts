import { type Reference, walkValue } from "./references.js";
import { checkResourceRules } from "./rules.js";
import { PARAMETER_TYPE, PSEUDO_PARAMETERS, RESOURCE_SPECS } from "./spec.js";
import { isObject, type Json } from "./yaml.js";

const TOP_LEVEL = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
  "Rules",
]);
const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "Condition",
  "DependsOn",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
]);
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

type Section = { [key: string]: Json };

/**
 * Checks a parsed template against the schema in spec.ts and rules.ts: known top-level keys,
 * resource types and properties, every Ref / GetAtt / Sub target and condition exists,
 * conditional resources are only referenced where their condition holds, no unused parameter.
 * Returns every problem found, one sentence each; an empty list means the template passed.
 */
export function checkTemplate(template: Json): string[] {
  if (!isObject(template)) return ["template: expected a mapping at the top level"];
  const problems: string[] = [];
  for (const key of Object.keys(template)) {
    if (!TOP_LEVEL.has(key)) problems.push(`${key}: not a CloudFormation top-level section`);
  }
  if (template["AWSTemplateFormatVersion"] !== "2010-09-09") {
    problems.push(
      `AWSTemplateFormatVersion: expected "2010-09-09", got ${JSON.stringify(template["AWSTemplateFormatVersion"])}`,
    );
  }
  const parameters = section(template, "Parameters", problems);
  const conditions = section(template, "Conditions", problems);
  const resources = section(template, "Resources", problems);
  const outputs = section(template, "Outputs", problems);
  if (Object.keys(resources).length === 0) problems.push("Resources: at least one resource is required");

  const refs: Array<Reference & { owner: string; ownerCondition?: string }> = [];
  const collect = (value: Json, path: string, owner: string, ownerCondition?: string) => {
    const walk = walkValue(value, path);
    problems.push(...walk.problems);
    for (const r of walk.references)
      refs.push({ ...r, owner, ...(ownerCondition ? { ownerCondition } : {}) });
  };

  for (const [name, p] of Object.entries(parameters)) checkParameter(name, p, problems);
  for (const [name, c] of Object.entries(conditions)) collect(c, `Conditions.${name}`, name);

  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    if (!LOGICAL_ID.test(id)) problems.push(`${path}: logical IDs are alphanumeric`);
    if (id in parameters) problems.push(`${path}: the name is also used by a parameter`);
    if (!isObject(resource)) {
      problems.push(`${path}: expected a mapping`);
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) problems.push(`${path}.${key}: not a resource attribute`);
    }
    const condition = typeof resource["Condition"] === "string" ? resource["Condition"] : undefined;
    if (resource["Condition"] !== undefined && !condition)
      problems.push(`${path}.Condition: expected a name`);
    if (condition)
      refs.push({ kind: "condition", name: condition, path: `${path}.Condition`, guards: [], owner: id });
    checkResourceShape(path, resource, problems);
    const dependsOn = resource["DependsOn"];
    for (const dep of typeof dependsOn === "string"
      ? [dependsOn]
      : Array.isArray(dependsOn)
        ? dependsOn
        : []) {
      if (typeof dep !== "string" || !(dep in resources))
        problems.push(`${path}.DependsOn: no resource ${JSON.stringify(dep)}`);
    }
    if (resource["Properties"] !== undefined)
      collect(resource["Properties"], `${path}.Properties`, id, condition);
  }

  for (const [name, output] of Object.entries(outputs)) {
    const path = `Outputs.${name}`;
    if (!isObject(output) || output["Value"] === undefined) {
      problems.push(`${path}: expected a mapping with a Value`);
      continue;
    }
    const condition = typeof output["Condition"] === "string" ? output["Condition"] : undefined;
    if (condition)
      refs.push({ kind: "condition", name: condition, path: `${path}.Condition`, guards: [], owner: name });
    collect(output["Value"], `${path}.Value`, name, condition);
  }

  problems.push(...checkReferences(refs, parameters, conditions, resources));
  problems.push(...checkResourceRules(resources, parameters));
  return problems;
}

function section(template: Section, name: string, problems: string[]): Section {
  const value = template[name];
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push(`${name}: expected a mapping`);
    return {};
  }
  return value;
}

function checkParameter(name: string, p: Json, problems: string[]): void {
  const path = `Parameters.${name}`;
  if (!isObject(p)) {
    problems.push(`${path}: expected a mapping`);
    return;
  }
  const type = p["Type"];
  if (typeof type !== "string" || !PARAMETER_TYPE.test(type)) {
    problems.push(`${path}.Type: expected a CloudFormation parameter type, got ${JSON.stringify(type)}`);
  }
  if (typeof p["Description"] !== "string") problems.push(`${path}: expected a Description`);
  const allowed = p["AllowedValues"];
  const def = p["Default"];
  if (Array.isArray(allowed) && def !== undefined && !allowed.some((a) => String(a) === String(def))) {
    problems.push(`${path}.Default: ${JSON.stringify(def)} is not one of AllowedValues`);
  }
  if (typeof p["AllowedPattern"] === "string" && typeof def === "string" && def !== "") {
    if (!new RegExp(p["AllowedPattern"]).test(def))
      problems.push(`${path}.Default: does not match AllowedPattern`);
  }
}

function checkResourceShape(path: string, resource: Section, problems: string[]): void {
  const type = resource["Type"];
  const spec = typeof type === "string" ? RESOURCE_SPECS[type] : undefined;
  if (!spec) {
    problems.push(`${path}.Type: ${JSON.stringify(type)} is not a resource type this template may use`);
    return;
  }
  const props = resource["Properties"] ?? {};
  if (!isObject(props)) {
    problems.push(`${path}.Properties: expected a mapping`);
    return;
  }
  for (const req of spec.required) {
    if (props[req] === undefined) problems.push(`${path}.Properties: ${type} requires ${req}`);
  }
  const allowed = new Set([...spec.required, ...spec.optional]);
  for (const key of Object.keys(props)) {
    if (!allowed.has(key)) problems.push(`${path}.Properties.${key}: not a property of ${type}`);
  }
}

function checkReferences(
  refs: Array<Reference & { owner: string; ownerCondition?: string }>,
  parameters: Section,
  conditions: Section,
  resources: Section,
): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  const conditionOf = (id: string) => {
    const r = resources[id];
    return isObject(r) && typeof r["Condition"] === "string" ? r["Condition"] : undefined;
  };
  for (const r of refs) {
    used.add(r.name);
    if (r.kind === "condition") {
      if (!(r.name in conditions)) problems.push(`${r.path}: no condition named ${r.name}`);
      continue;
    }
    if (r.kind === "ref" && (PSEUDO_PARAMETERS.has(r.name) || r.name in parameters)) continue;
    if (!(r.name in resources)) {
      problems.push(`${r.path}: ${r.name} is neither a parameter, a pseudo parameter nor a resource`);
      continue;
    }
    if (r.owner === r.name) problems.push(`${r.path}: ${r.name} refers to itself`);
    if (r.kind === "getatt") {
      const resource = resources[r.name];
      const type = isObject(resource) ? String(resource["Type"]) : "";
      const attributes = RESOURCE_SPECS[type]?.attributes ?? [];
      if (!attributes.includes(r.attribute ?? "")) {
        problems.push(
          `${r.path}: ${type} has no attribute ${r.attribute} (has: ${attributes.join(", ") || "none"})`,
        );
      }
    }
    const needed = conditionOf(r.name);
    if (needed && r.ownerCondition !== needed && !r.guards.includes(needed)) {
      problems.push(
        `${r.path}: ${r.name} exists only when ${needed} holds; refer to it under that condition`,
      );
    }
  }
  for (const name of Object.keys(parameters)) {
    if (!used.has(name)) problems.push(`Parameters.${name}: declared but never used`);
  }
  for (const name of Object.keys(conditions)) {
    if (!used.has(name)) problems.push(`Conditions.${name}: declared but never used`);
  }
  return problems;
}
