import { mergedAwsConfig } from "../aws/clients.js";
import type { ValidationProblem } from "../errors.js";
import type { BatchRunOptions, LaunchOptions, LaunchType } from "../options.js";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const LAUNCH_TYPES: readonly string[] = ["FARGATE", "FARGATE_SPOT", "EC2"];

/**
 * Rewrites the equivalent spellings a caller may use into the one form validation and
 * normalization read (pure): a launch type by name or RunTask-style top-level fields → `launch`,
 * `"ENABLED"`/`"DISABLED"` → booleans, numeric cpu/memory → strings, `[{ name, value }]`
 * environment → a record, `clientConfig` and AWS shorthands → `aws`. Conflicts are problems.
 */
export function canonicalRunOptions(options: BatchRunOptions): {
  options: BatchRunOptions;
  problems: ValidationProblem[];
} {
  const problems: ValidationProblem[] = [];
  if (!isRecord(options)) return { options, problems };
  const o: Record<string, unknown> = { ...options };

  const launch = canonicalLaunch(options, problems);
  if (launch !== undefined) o.launch = launch;

  const aws = mergedAwsConfig(options);
  if (aws !== undefined) o.aws = aws;

  if (isRecord(options.network)) {
    const a: unknown = options.network.assignPublicIp;
    if (a === "ENABLED" || a === "DISABLED")
      o.network = { ...options.network, assignPublicIp: a === "ENABLED" };
  }

  if (isRecord(options.overrides)) {
    const ov: Record<string, unknown> = { ...options.overrides };
    for (const key of ["cpu", "memory"] as const) {
      const v = ov[key];
      if (typeof v === "number" && Number.isInteger(v) && v > 0) ov[key] = String(v);
    }
    const env: unknown = ov.environment;
    if (Array.isArray(env)) {
      const record: Record<string, unknown> = {};
      for (const [i, item] of env.entries()) {
        if (isRecord(item) && typeof item.name === "string" && item.name.length > 0)
          record[item.name] = item.value;
        else
          problems.push({
            path: `overrides.environment[${i}]`,
            message: "expected { name, value } with a non-empty name",
          });
      }
      ov.environment = record;
    }
    o.overrides = ov;
  }
  return { options: o as unknown as BatchRunOptions, problems };
}

function canonicalLaunch(options: BatchRunOptions, problems: ValidationProblem[]): unknown {
  const given = [
    options.launch !== undefined && "launch",
    options.launchType !== undefined && "launchType",
    options.capacityProviderStrategy !== undefined && "capacityProviderStrategy",
  ].filter((x): x is string => x !== false);
  if (given.length > 1) {
    problems.push({
      path: given.join(", "),
      message: `expected one way to say how tasks launch, got ${given.join(" and ")}`,
    });
    return undefined;
  }
  const fallback = options.fallbackToOnDemand;
  const withFallback = (type: LaunchType): LaunchOptions =>
    type === "FARGATE_SPOT" && fallback !== undefined ? { type, fallbackToOnDemand: fallback } : { type };
  const launch: unknown = options.launch;
  if (typeof launch === "string" && LAUNCH_TYPES.includes(launch)) return withFallback(launch as LaunchType);
  if (isRecord(launch) && launch.type === undefined && launch.capacityProviderStrategy !== undefined)
    return { ...launch, type: "CAPACITY_PROVIDER" };
  const launchType: unknown = options.launchType;
  if (launchType !== undefined) {
    if (typeof launchType === "string" && LAUNCH_TYPES.includes(launchType))
      return withFallback(launchType as LaunchType);
    return { type: launchType };
  }
  if (options.capacityProviderStrategy !== undefined)
    return { type: "CAPACITY_PROVIDER", capacityProviderStrategy: options.capacityProviderStrategy };
  if (
    fallback !== undefined &&
    isRecord(launch) &&
    launch.type === "FARGATE_SPOT" &&
    launch.fallbackToOnDemand === undefined
  )
    return { ...launch, fallbackToOnDemand: fallback };
  if (fallback !== undefined && launch === undefined)
    problems.push({
      path: "fallbackToOnDemand",
      message: 'expected launchType "FARGATE_SPOT" with it, got no launch type',
    });
  return undefined;
}
