import { resolve } from "node:path";
import { checkSchema, WORKER_ENV } from "@ecs-fanout/protocol";
import type { ValidationProblem } from "../errors.js";
import type { BatchRunOptions, LaunchOptions, NetworkOptions, TaskOverrides } from "../options.js";
import { isValidStartedBy, tagProblems } from "../tags.js";
import { Problems } from "../util/problems.js";
import { transportOptionsSchema } from "../worker/transport-options.js";
import { canonicalRunOptions } from "./aliases.js";
import { unknownKeyProblems } from "./known-keys.js";

const SEGMENT_ID = /^[A-Za-z0-9._-]{1,100}$/;
const RUN_ID = /^[A-Za-z0-9-]{1,64}$/;
const RESERVED_ENV = new Set(["FANOUT_TOKEN", ...Object.values(WORKER_ENV)]);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every problem with a run's options, in "expected … got …" form. Empty means valid. Makes no AWS call. */
export function validateRunOptions(given: BatchRunOptions): ValidationProblem[] {
  const p = new Problems();
  if (!isRecord(given)) {
    p.add("options", "an object", given);
    return p.list;
  }
  const { options, problems } = canonicalRunOptions(given);
  p.list.push(...problems);
  p.list.push(...unknownKeyProblems(given as unknown as Record<string, unknown>));
  if (given.clientConfig !== undefined)
    p.check(
      isRecord(given.clientConfig),
      "clientConfig",
      "an object { region?, endpoint?, credentials? }",
      given.clientConfig,
    );
  optionalBoolean(p, given.fallbackToOnDemand, "fallbackToOnDemand");
  validateSegments(p, options);
  p.nonEmptyString(options.cluster, "cluster");
  p.nonEmptyString(options.taskDefinition, "taskDefinition");
  p.nonEmptyString(options.outputDir, "outputDir");
  if (options.containerName !== undefined) p.nonEmptyString(options.containerName, "containerName");
  p.integer(options.containerPort, "containerPort", 1, 65535);
  p.integer(options.maxParallelTasks, "maxParallelTasks", 1, 5000);
  p.integer(options.segmentsPerBatch, "segmentsPerBatch", 1);
  p.integer(options.slotsPerTask, "slotsPerTask", 1, 64);
  optionalBoolean(p, options.lookAhead, "lookAhead");
  if (options.order !== undefined)
    p.check(
      options.order === "largest-first" || options.order === "as-given",
      "order",
      '"largest-first" or "as-given"',
      options.order,
    );
  optionalBoolean(p, options.handleSignals, "handleSignals");
  optionalBoolean(p, options.resume, "resume");
  if (options.manifest !== undefined && options.manifest !== false)
    p.nonEmptyString(options.manifest, "manifest");
  validateLaunch(p, options.launch);
  validateNetwork(p, options.network);
  validateOverrides(p, options.overrides, options.launch);
  if (options.tags !== undefined) {
    if (p.check(isRecord(options.tags), "tags", "an object of string values", options.tags)) {
      for (const message of tagProblems(options.tags, 2))
        p.list.push({ path: "tags", message: `expected ${message}` });
    }
  }
  if (options.startedBy !== undefined) {
    p.check(
      typeof options.startedBy === "string" && isValidStartedBy(options.startedBy),
      "startedBy",
      "1–128 letters, digits, '-', '/' or '_'",
      options.startedBy,
    );
  }
  if (options.platformVersion !== undefined) p.nonEmptyString(options.platformVersion, "platformVersion");
  p.number(options.pollIntervalMs, "pollIntervalMs", 50);
  if (p.check(options.retry === undefined || isRecord(options.retry), "retry", "an object", options.retry)) {
    const r = options.retry ?? {};
    p.integer(r.segmentAttempts, "retry.segmentAttempts", 1, 100);
    p.integer(r.launchRetries, "retry.launchRetries", 0, 100);
    p.integer(r.awsRetries, "retry.awsRetries", 0, 100);
    p.number(r.minBackoffMs, "retry.minBackoffMs", 1);
    p.number(r.maxBackoffMs, "retry.maxBackoffMs", 1);
    p.integer(r.maxReplacements, "retry.maxReplacements", 0);
    p.integer(r.downloadResumes, "retry.downloadResumes", 0, 1000);
  }
  if (
    p.check(
      options.timeouts === undefined || isRecord(options.timeouts),
      "timeouts",
      "an object",
      options.timeouts,
    )
  ) {
    for (const [key, value] of Object.entries(options.timeouts ?? {})) p.number(value, `timeouts.${key}`, 1);
  }
  const transport = checkSchema(transportOptionsSchema, options.transport ?? {});
  if (!transport.ok)
    for (const problem of transport.problems)
      p.list.push({
        path: problem.path ? `transport.${problem.path}` : "transport",
        message: problem.message,
      });
  if (
    p.check(
      options.apiRate === undefined || isRecord(options.apiRate),
      "apiRate",
      "an object",
      options.apiRate,
    )
  ) {
    for (const [key, value] of Object.entries(options.apiRate ?? {})) p.number(value, `apiRate.${key}`, 0.01);
  }
  if (
    p.check(
      options.pricing === undefined || isRecord(options.pricing),
      "pricing",
      "an object",
      options.pricing,
    )
  ) {
    const pr = options.pricing ?? {};
    p.number(pr.minimumBilledSeconds, "pricing.minimumBilledSeconds", 0);
    if (pr.spotDiscount !== undefined) {
      p.check(
        typeof pr.spotDiscount === "number" && pr.spotDiscount >= 0 && pr.spotDiscount < 1,
        "pricing.spotDiscount",
        "a fraction from 0 to below 1",
        pr.spotDiscount,
      );
    }
    if (pr.architecture !== undefined) {
      p.check(
        pr.architecture === "X86_64" || pr.architecture === "ARM64",
        "pricing.architecture",
        '"X86_64" or "ARM64"',
        pr.architecture,
      );
    }
  }
  if (options.signal !== undefined)
    p.check(options.signal instanceof AbortSignal, "signal", "an AbortSignal", options.signal);
  if (options.onEvent !== undefined)
    p.check(typeof options.onEvent === "function", "onEvent", "a function", options.onEvent);
  if (options.logger !== undefined) {
    const l = options.logger as unknown as Record<string, unknown>;
    const ok = isRecord(l) && ["debug", "info", "warn", "error"].every((k) => typeof l[k] === "function");
    p.check(ok, "logger", "an object with debug, info, warn and error functions", options.logger);
  }
  if (options.runId !== undefined) {
    p.check(
      typeof options.runId === "string" && RUN_ID.test(options.runId),
      "runId",
      "1–64 letters, digits or '-'",
      options.runId,
    );
  }
  if (options.aws !== undefined && p.check(isRecord(options.aws), "aws", "an object", options.aws)) {
    if (options.aws.region !== undefined) p.nonEmptyString(options.aws.region, "aws.region");
    if (options.aws.endpoint !== undefined) {
      p.check(isHttpUrl(options.aws.endpoint), "aws.endpoint", "an http(s) URL", options.aws.endpoint);
    }
  }
  if (options.clients !== undefined)
    p.check(isRecord(options.clients), "clients", "an object", options.clients);
  return p.list;
}

function optionalBoolean(p: Problems, value: unknown, path: string): void {
  if (value !== undefined) p.check(typeof value === "boolean", path, "true or false", value);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function validateSegments(p: Problems, options: BatchRunOptions): void {
  const segments: unknown = options.segments;
  if (!p.check(Array.isArray(segments) && segments.length > 0, "segments", "a non-empty array", segments))
    return;
  const ids = new Set<string>();
  const outputs = new Set<string>();
  const inputs = new Set<string>();
  const outputDir = typeof options.outputDir === "string" ? resolve(options.outputDir) : undefined;
  for (const [i, s] of (segments as unknown[]).entries()) {
    const at = `segments[${i}]`;
    if (!isRecord(s)) {
      p.add(at, "an object { id, input }", s);
      continue;
    }
    const id = s.id;
    if (
      p.check(
        typeof id === "string" && SEGMENT_ID.test(id) && id !== "." && id !== "..",
        `${at}.id`,
        "1–100 letters, digits, '.', '_' or '-'",
        id,
      )
    ) {
      p.check(!ids.has(id as string), `${at}.id`, "an id not used by another segment", id);
      ids.add(id as string);
    }
    const input = s.input;
    if (isRecord(input) && typeof input.path === "string" && input.path.length > 0) {
      inputs.add(resolve(input.path));
    } else if (isRecord(input) && typeof input.url === "string") {
      p.check(isHttpUrl(input.url), `${at}.input.url`, "an http(s) URL", input.url);
    } else {
      p.add(`${at}.input`, "{ path } or { url }", input);
    }
    if (s.params !== undefined) p.check(isRecord(s.params), `${at}.params`, "an object", s.params);
    p.number(s.weight, `${at}.weight`, 0);
    if (s.outputName !== undefined) {
      const name = s.outputName;
      const ok =
        typeof name === "string" && name.length > 0 && !/[/\\]/.test(name) && name !== "." && name !== "..";
      if (p.check(ok, `${at}.outputName`, "a plain file name", name)) {
        p.check(
          !outputs.has(name as string),
          `${at}.outputName`,
          "an output name not used by another segment",
          name,
        );
        outputs.add(name as string);
      }
    }
  }
  if (outputDir !== undefined) {
    for (const [i, s] of (segments as unknown[]).entries()) {
      if (!isRecord(s) || typeof s.id !== "string" || !isRecord(s.input)) continue;
      const input = s.input as { path?: string; url?: string };
      const name = typeof s.outputName === "string" ? s.outputName : undefined;
      const ext = typeof input.path === "string" ? input.path.match(/\.[^./\\]+$/)?.[0] : undefined;
      const out = resolve(outputDir, name ?? `${s.id}${ext ?? ".out"}`);
      p.check(
        !inputs.has(out),
        `segments[${i}]`,
        "an output path that is not an input path (set outputDir or outputName)",
        out,
      );
    }
  }
}

function validateLaunch(p: Problems, given: BatchRunOptions["launch"]): void {
  if (given === undefined) return;
  if (!p.check(isRecord(given), "launch", 'an object { type } or "FARGATE", "FARGATE_SPOT", "EC2"', given))
    return;
  const launch = given as LaunchOptions;
  const types = ["FARGATE", "FARGATE_SPOT", "EC2", "CAPACITY_PROVIDER"];
  if (
    !p.check(types.includes(launch.type), "launch.type", types.map((t) => `"${t}"`).join(", "), launch.type)
  )
    return;
  if (launch.type === "FARGATE_SPOT")
    optionalBoolean(p, launch.fallbackToOnDemand, "launch.fallbackToOnDemand");
  if (launch.type === "CAPACITY_PROVIDER") {
    const strategy: unknown = launch.capacityProviderStrategy;
    const ok = Array.isArray(strategy) && strategy.length >= 1 && strategy.length <= 20;
    if (!p.check(ok, "launch.capacityProviderStrategy", "1–20 providers", strategy)) return;
    for (const [i, item] of (strategy as unknown[]).entries()) {
      const at = `launch.capacityProviderStrategy[${i}]`;
      if (!isRecord(item)) {
        p.add(at, "{ capacityProvider, weight?, base? }", item);
        continue;
      }
      p.nonEmptyString(item.capacityProvider, `${at}.capacityProvider`);
      p.integer(item.weight, `${at}.weight`, 0, 1000);
      p.integer(item.base, `${at}.base`, 0, 100000);
    }
  }
}

const isFargate = (launch: BatchRunOptions["launch"]): boolean =>
  launch === undefined || (isRecord(launch) && (launch.type === "FARGATE" || launch.type === "FARGATE_SPOT"));

function validateNetwork(p: Problems, network: NetworkOptions | undefined): void {
  // Without subnets an awsvpc launch falls back to the default VPC (decided after validation).
  if (network === undefined) return;
  if (
    !p.check(
      isRecord(network),
      "network",
      "an object { subnets?, securityGroups?, assignPublicIp?, endpoint? }",
      network,
    )
  )
    return;
  const subnets: unknown = network.subnets;
  if (subnets !== undefined)
    p.check(
      Array.isArray(subnets) &&
        subnets.length >= 1 &&
        subnets.length <= 16 &&
        subnets.every((s) => typeof s === "string" && s.length > 0),
      "network.subnets",
      "1–16 subnet ids (or none, for the default VPC's)",
      subnets,
    );
  const groups: unknown = network.securityGroups;
  if (groups !== undefined) {
    p.check(
      Array.isArray(groups) &&
        groups.length <= 5 &&
        groups.every((s) => typeof s === "string" && s.length > 0),
      "network.securityGroups",
      "at most 5 security group ids",
      groups,
    );
  }
  if (network.assignPublicIp !== undefined)
    p.check(
      typeof network.assignPublicIp === "boolean",
      "network.assignPublicIp",
      'true, false, "ENABLED" or "DISABLED"',
      network.assignPublicIp,
    );
  if (network.endpoint !== undefined) {
    if (
      p.check(
        network.endpoint === "public" || network.endpoint === "private",
        "network.endpoint",
        '"public" or "private"',
        network.endpoint,
      )
    ) {
      // Default-VPC subnets get a public IP unless assignPublicIp says otherwise.
      const publicIp =
        network.assignPublicIp === true ||
        (network.subnets === undefined && network.assignPublicIp === undefined);
      p.check(
        network.endpoint === "private" || publicIp,
        "network.endpoint",
        'assignPublicIp: true with endpoint "public"',
        network.endpoint,
      );
    }
  }
}

function validateOverrides(
  p: Problems,
  overrides: TaskOverrides | undefined,
  launch: BatchRunOptions["launch"],
): void {
  if (overrides === undefined) return;
  if (!p.check(isRecord(overrides), "overrides", "an object", overrides)) return;
  for (const key of ["cpu", "memory"] as const) {
    const v = overrides[key];
    if (v !== undefined)
      p.check(
        typeof v === "string" && /^[1-9][0-9]*$/.test(v),
        `overrides.${key}`,
        'a positive whole number, e.g. 2048 or "2048"',
        v,
      );
  }
  if (overrides.gpu !== undefined) {
    p.integer(overrides.gpu, "overrides.gpu", 0, 16);
    p.check(
      !isFargate(launch) || overrides.gpu === 0,
      "overrides.gpu",
      "no GPUs on Fargate (use EC2 or a capacity provider)",
      overrides.gpu,
    );
  }
  const env = overrides.environment;
  if (env !== undefined && p.check(isRecord(env), "overrides.environment", "an object of strings", env)) {
    for (const [key, value] of Object.entries(env)) {
      p.check(typeof value === "string", `overrides.environment.${key}`, "a string", value);
      p.check(
        !RESERVED_ENV.has(key),
        `overrides.environment.${key}`,
        `a name other than ${[...RESERVED_ENV].join("/")} (set by the run)`,
        key,
      );
    }
  }
}
