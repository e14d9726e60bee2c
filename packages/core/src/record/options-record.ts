import type { RunOptions } from "../options/run.js";
import { s3Uri } from "../s3/uri.js";
import type { RecordedOptions } from "./schema.js";

/**
 * What the manifest records of a run's options. A whitelist: everything not named here stays out
 * (the bearer token, credentials, environment values, input URLs, clients, callbacks). Processor
 * params keep numbers, booleans and `processor`; other strings may be URLs or keys, so they go.
 */
export function recordedOptions(
  opts: RunOptions,
  extra: { region: string; resume: boolean },
): RecordedOptions {
  const params = recordedParams(opts.segments[0]?.params);
  const launch = opts.launch;
  return {
    cluster: opts.cluster,
    taskDefinition: opts.taskDefinition,
    containerName: opts.containerName,
    containerPort: opts.containerPort,
    outputDir: opts.outputDir,
    outputs: opts.outputs === undefined ? undefined : s3Uri(opts.outputs.s3),
    stage: opts.stage === undefined ? undefined : s3Uri(opts.stage),
    keepStaged: opts.stage === undefined ? undefined : opts.keepStaged,
    region: extra.region,
    maxParallelTasks: opts.maxParallelTasks,
    segmentsPerBatch: opts.segmentsPerBatch,
    slotsPerTask: opts.slotsPerTask,
    lookAhead: opts.lookAhead,
    order: opts.order,
    launch: {
      type: launch.type,
      fallbackToOnDemand: launch.type === "FARGATE_SPOT" ? launch.fallbackToOnDemand !== false : undefined,
      capacityProviders:
        launch.type === "CAPACITY_PROVIDER"
          ? launch.capacityProviderStrategy.map((s) => s.capacityProvider ?? "")
          : undefined,
    },
    overrides: {
      cpu: opts.overrides.cpu,
      memory: opts.overrides.memory,
      gpu: opts.overrides.gpu,
      environmentNames:
        opts.overrides.environment === undefined ? undefined : Object.keys(opts.overrides.environment).sort(),
    },
    params,
    startedBy: opts.startedBy,
    platformVersion: opts.platformVersion,
    pollIntervalMs: opts.pollIntervalMs,
    segmentAttempts: opts.retry.segmentAttempts,
    maxReplacements: opts.retry.maxReplacements,
    resume: extra.resume,
  };
}

/** What the record keeps of processor params: numbers, booleans and `processor` (see above). */
export function recordedParams(
  given: Readonly<Record<string, unknown>> | undefined,
): Record<string, number | boolean | string> {
  const params: Record<string, number | boolean | string> = {};
  for (const [key, value] of Object.entries(given ?? {})) {
    if (typeof value === "number" || typeof value === "boolean") params[key] = value;
    else if (key === "processor" && typeof value === "string") params[key] = value.slice(0, 100);
  }
  return params;
}

/** Whether two recorded params are the same, whatever order their keys came in. */
export function sameParams(
  a: Readonly<Record<string, number | boolean | string>>,
  b: Readonly<Record<string, number | boolean | string>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
}
