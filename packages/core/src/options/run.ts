import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import type { FanoutEvent } from "../events.js";
import { MANIFEST_NAME } from "../record/writer.js";
import { DEFAULT_STARTED_BY, tagProblems } from "../tags.js";
import { transportOptionsSchema } from "../worker/transport-options.js";
import {
  awsConfigSchema,
  clientsSchema,
  custom,
  evenWhenInvalid,
  int,
  isRecord,
  nonEmptyString,
  quietByDefault,
  satisfying,
  signalSchema,
  startedBySchema,
} from "./common.js";
import { isFargateLaunch, launchSchema } from "./launch.js";
import { apiRateSchema, livenessSchema, retrySchema, timeoutsSchema } from "./limits.js";
import { networkSchema } from "./network.js";
import { overridesSchema } from "./overrides.js";
import { pricingSchema } from "./pricing.js";
import { s3OutputsSchema, s3PrefixUri } from "./s3.js";
import { checkSegments, planSegments, segmentSchema } from "./segments.js";

const RUN_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Tags a run adds itself (managed-by and run id). */
const OWN_TAGS = 2;

const tagsSchema = z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  for (const message of tagProblems(tags, OWN_TAGS))
    ctx.addIssue({ code: "custom", message: `expected ${message}` });
});

const onEventSchema = custom<(event: FanoutEvent) => void>((v) => typeof v === "function", "a function");

/** The options of executeParallelBatches and runParallelBatches, each default once, here. */
export const runOptionsSchema = z
  .strictObject({
    /** The work. At least one segment; ids unique. */
    segments: z.array(segmentSchema).min(1),
    /** ECS cluster name or ARN. */
    cluster: nonEmptyString(),
    /** Task definition family, family:revision or ARN. */
    taskDefinition: nonEmptyString(),
    /** The worker container's name. @default the task definition's first essential container */
    containerName: nonEmptyString().optional(),
    /** The worker's container port. @default the container's first port mapping, else 8080 */
    containerPort: int(1, 65535).optional(),
    /**
     * Where outputs land (created if missing). Required unless every output goes to S3; with S3
     * outputs too, each output is streamed from S3 into it as soon as it lands (verified, renamed
     * into place) while the other tasks keep working.
     * @default none (only when every output goes to S3)
     */
    outputDir: nonEmptyString()
      .transform((dir) => resolve(dir))
      .optional(),
    /**
     * Send outputs to S3: the worker writes each one itself, through URLs presigned per attempt,
     * at this prefix plus the segment's `outputName` (a segment's `output` overrides it).
     * @default none (outputs go to `outputDir` over the task's connection)
     */
    outputs: s3OutputsSchema.optional(),
    /**
     * Stage local `{ path }` inputs in S3 under this prefix: the run uploads each file once
     * (multipart, several at a time, ahead of demand) and tasks fetch them from S3 instead of over
     * the orchestrator's link to each task.
     * @default none (local inputs are uploaded to each task)
     */
    stage: s3PrefixUri().optional(),
    /** Keep the staged objects after the run instead of deleting them. @default false */
    keepStaged: z.boolean().default(false),
    /** Processor options for every segment (`processor` picks the worker processor). @default {} (ffmpeg-scale) */
    params: z.record(z.string(), z.unknown()).default({}),
    /** Most tasks running at once. @default 10 */
    maxParallelTasks: int(1, 5000).default(10),
    /** Target segments per task: tasks = min(maxParallelTasks, ceil(segments / segmentsPerBatch)). @default 1 */
    segmentsPerBatch: int(1).default(1),
    /** Concurrent jobs per worker; must match the worker's FANOUT_SLOTS. @default 1 */
    slotsPerTask: int(1, 64).default(1),
    /**
     * Upload the next segment while the current one processes. A look-ahead segment that has not
     * started yet is taken back by a task that runs out of work (cancelled there, uploaded again),
     * so it never waits behind a long segment while another task idles.
     * @default true
     */
    lookAhead: z.boolean().default(true),
    /**
     * Order in which the shared queue hands segments out (retries always go to the front).
     * - `"largest-first"`: by segment weight, heaviest first (ties keep the given order), so the
     *   long ones overlap each other instead of one starting last.
     * - `"as-given"`: in the order of `segments`.
     * @default "largest-first"
     */
    order: z.enum(["largest-first", "as-given"]).default("largest-first"),
    /** How tasks get capacity. @default { type: "FARGATE" } */
    launch: launchSchema.default({ type: "FARGATE" }),
    /**
     * How long, in milliseconds, the run waits for capacity to arrive (ECS Managed Instances
     * launch instances in batches over minutes). Placement refusals (`RESOURCE:MEMORY`,
     * `RESOURCE:GPU`, …) are retried with backoff until this long after the launch began, however
     * many retries that takes; a task still PROVISIONING this long after its launch is stopped
     * (StopTask reason "ecs-fanout: no capacity within capacityTimeout") and reported, without a
     * replacement. Unset: `retry.launchRetries` bounds the retries and `timeouts.taskStartMs` the
     * wait for RUNNING, as for Fargate.
     * @default undefined
     */
    capacityTimeout: z.number().min(1).optional(),
    /**
     * awsvpc networking: subnets, security groups, public IP, which address reaches the workers.
     * @default when the launch needs awsvpc (Fargate, or a task definition with `networkMode:
     * "awsvpc"`): the account's default VPC — its default subnets, its default security group and
     * a public IP; otherwise none
     */
    network: networkSchema.optional(),
    /** Task-level overrides applied to every launched task. @default {} */
    overrides: overridesSchema.prefault({}),
    /** Extra tags for every task (the run's own tags are always added). @default {} */
    tags: tagsSchema.default({}),
    /** RunTask `startedBy`; listTasks/cleanupStaleTasks find tasks by it. @default "ecs-fanout" */
    startedBy: startedBySchema.default(DEFAULT_STARTED_BY),
    /** RunTask platform version (Fargate). @default LATEST */
    platformVersion: nonEmptyString().optional(),
    /** DescribeTasks polling interval in ms (one call per interval for all tasks). @default 3000 */
    pollIntervalMs: z.number().min(50).default(3000),
    retry: retrySchema.prefault({}),
    timeouts: timeoutsSchema.prefault({}),
    /**
     * Checks that each serving task's worker still answers, and how soon one that does not is
     * given up on (about `failures` × `intervalMs`, each check bounded by `timeoutMs`).
     * @default { intervalMs: 1000, timeoutMs: 1500, failures: 3 }
     */
    liveness: livenessSchema.prefault({}),
    /** TLS to the workers (on unless opted out) and the slowest transfer an attempt tolerates. @default {} */
    transport: transportOptionsSchema.prefault({}),
    apiRate: apiRateSchema.prefault({}),
    pricing: pricingSchema.prefault({}),
    /** Aborting stops launching, stops every task, then rejects with `signal.reason`. */
    signal: signalSchema.optional(),
    /**
     * Clean up on SIGINT/SIGTERM: stop every task, then reject with RunInterruptedError (the caller
     * decides how to exit).
     * @default false
     */
    handleSignals: z.boolean().default(false),
    /** Typed progress events; payloads are frozen. */
    onEvent: onEventSchema.optional(),
    /** @default quiet (no output) */
    logger: quietByDefault(),
    /**
     * Pre-built AWS clients. Clients not given are created from `aws`, or, without it, from the
     * given ECS client's region, endpoint and credentials.
     * @default {}
     */
    clients: clientsSchema.prefault({}),
    /** How to create the AWS clients (region, endpoint, credentials). @default the SDK's default chains */
    aws: awsConfigSchema.optional(),
    /** The run id. @default a random uuid */
    runId: satisfying(z.string(), (id) => RUN_ID.test(id), "1 to 64 letters, digits or '-'").default(() =>
      randomUUID(),
    ),
    /**
     * Where the run appends its record (JSON lines: options, tasks, segment attempts, cost), or
     * `false` for none; a relative path is taken from `outputDir` (without one, from the working
     * directory). See docs/run-record.md.
     * @default `<outputDir>/ecs-fanout-manifest.jsonl`; without `outputDir`, none
     */
    manifest: z.union([z.literal(false), nonEmptyString()]).optional(),
    /**
     * Read the manifest first and run only what it does not prove done: a segment whose output is
     * on disk with the recorded size and sha256, from an input of the recorded size and sha256, is
     * reused; everything else runs. Tasks the earlier run left are stopped and priced into this
     * run's cost. Without a manifest (or with `manifest: false`) it runs everything.
     * @default false
     */
    resume: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    // Runs on partly invalid values too (so every problem is reported at once): read defensively.
    if (!isRecord(o)) return;
    checkSegments(o.segments, { outputDir: o.outputDir, outputs: o.outputs }, ctx);
    const gpu: unknown = isRecord(o.overrides) ? o.overrides.gpu : undefined;
    if (typeof gpu === "number" && gpu > 0 && isFargateLaunch(isRecord(o.launch) ? o.launch : undefined))
      ctx.addIssue({
        code: "custom",
        path: ["overrides", "gpu"],
        message: expectedGot("no GPUs on Fargate (use EC2 or a capacity provider)", gpu),
      });
  }, evenWhenInvalid)
  .transform(({ segments, params, manifest, ...rest }) => ({
    ...rest,
    segments: planSegments(segments, { outputDir: rest.outputDir, outputs: rest.outputs?.s3 }, params),
    /** Absolute path of the manifest, or undefined for none. */
    manifest: manifestPath(manifest, rest.outputDir),
  }));

function manifestPath(
  manifest: string | false | undefined,
  outputDir: string | undefined,
): string | undefined {
  if (manifest === false) return undefined;
  if (outputDir === undefined) return manifest === undefined ? undefined : resolve(manifest);
  return resolve(outputDir, manifest ?? MANIFEST_NAME);
}

/** The options of executeParallelBatches and runParallelBatches, as a caller writes them. */
export type BatchRunOptions = z.input<typeof runOptionsSchema>;
/** Run options after parsing: every default applied, segments planned. What the run reads. */
export type RunOptions = z.output<typeof runOptionsSchema>;
