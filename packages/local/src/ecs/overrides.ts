import type { TaskOverride } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../errors.js";
import type { Wire } from "../protocols/wire.js";
import type { TaskDefRecord } from "../state.js";
import { parseCpu, parseMemory } from "./validation.js";

/** Checks RunTask `overrides` against the task definition; AWS caps their JSON at 8192 characters. */
export function validateOverrides(value: unknown, taskDef: TaskDefRecord): Wire<TaskOverride> {
  if (value === undefined || value === null) return { containerOverrides: [] };
  if (typeof value !== "object" || Array.isArray(value))
    throw invalidParameter("overrides must be an object");
  const overrides = value as Wire<TaskOverride>;
  if (JSON.stringify(overrides.containerOverrides ?? []).length > 8192) {
    throw invalidParameter("Container Overrides length must be at most 8192");
  }
  const names = new Set((taskDef.def.containerDefinitions ?? []).map((c) => c.name));
  for (const o of overrides.containerOverrides ?? []) {
    if (!o.name || !names.has(o.name)) {
      throw invalidParameter(
        `Override for container named ${String(o.name)} is not a container in the TaskDefinition.`,
      );
    }
    for (const e of o.environment ?? []) {
      if (typeof e.name !== "string" || (e.value !== undefined && typeof e.value !== "string")) {
        throw invalidParameter(`Environment overrides of container ${o.name} must be name/value strings.`);
      }
    }
    if (
      o.command !== undefined &&
      (!Array.isArray(o.command) || o.command.some((a) => typeof a !== "string"))
    ) {
      throw invalidParameter(`The command override of container ${o.name} must be a list of strings.`);
    }
  }
  if (Number.isNaN(parseCpu(overrides.cpu)) || Number.isNaN(parseMemory(overrides.memory))) {
    throw invalidParameter(
      `Invalid cpu or memory override: ${JSON.stringify({ cpu: overrides.cpu, memory: overrides.memory })}`,
    );
  }
  return { ...overrides, containerOverrides: overrides.containerOverrides ?? [] };
}
