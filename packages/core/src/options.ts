import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { CapacityProviderStrategyItem, ECSClient, ECSClientConfig } from "@aws-sdk/client-ecs";
import type { FanoutEvent } from "./events.js";
import type { Logger } from "./logger.js";
import type { PricingOptions } from "./pricing.js";
import type { TransportOptions } from "./worker/transport-options.js";

export type { TransportOptions } from "./worker/transport-options.js";

/** Where a segment's input comes from: a local file (streamed from disk) or an http(s) URL (streamed through). */
export type SegmentInput = { readonly path: string } | { readonly url: string };

/** One unit of work. */
export interface Segment {
  /** Unique id; used in job ids and default output names. Letters, digits, `.`, `_`, `-`; at most 100 characters. */
  readonly id: string;
  readonly input: SegmentInput;
  /** Processor options for this segment, merged over the run's `params`. */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * File name of the output inside `outputDir`.
   * @default `${id}${extension of the input}` (`.out` when the input has none)
   */
  readonly outputName?: string;
  /**
   * How much work this segment is, relative to the others (any unit: seconds, frames, bytes).
   * With `order: "largest-first"` the heaviest segments are handed out first, so a long one does
   * not start last and hold the run up. Only the ratios matter.
   * @default the input file's size in bytes for `path` inputs; for `url` inputs, the mean of the
   * other segments' weights (so they sort neither first nor last)
   */
  readonly weight?: number;
}

/**
 * In which order the shared queue hands segments out.
 * - `"largest-first"`: by {@link Segment.weight}, heaviest first (ties keep the given order).
 *   Longest-processing-time-first keeps the makespan close to the lower bound when segment
 *   durations vary: the long ones overlap each other instead of one starting last.
 * - `"as-given"`: in the order of `segments`.
 */
export type SegmentOrder = "largest-first" | "as-given";

/** Pre-built AWS SDK clients. Any client not given is created from `aws`. */
export interface AwsClients {
  readonly ecs?: ECSClient;
  readonly ec2?: EC2Client;
  readonly logs?: CloudWatchLogsClient;
}

/** How to create AWS clients when `clients` are not given. Unset fields use the SDK's default chain. */
export interface AwsConfig {
  /** @default the SDK's region chain (AWS_REGION, profile) */
  readonly region?: string;
  /** Custom endpoint (e.g. the local ECS endpoint). @default AWS's endpoint */
  readonly endpoint?: string;
  /** @default the SDK's default credential provider chain */
  readonly credentials?: ECSClientConfig["credentials"];
}

/** How tasks get capacity. */
export type LaunchOptions =
  | { readonly type: "FARGATE" }
  | {
      readonly type: "FARGATE_SPOT";
      /**
       * Launch on-demand Fargate when Spot capacity is unavailable.
       * @default true
       */
      readonly fallbackToOnDemand?: boolean;
    }
  | { readonly type: "EC2" }
  | {
      readonly type: "CAPACITY_PROVIDER";
      /** Passed to RunTask as is (at most 20 providers), e.g. a GPU EC2 Auto Scaling provider. */
      readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[];
    };

/** A launch type by name: shorthand for `{ type }` (FARGATE_SPOT then falls back to on-demand). */
export type LaunchType = "FARGATE" | "FARGATE_SPOT" | "EC2";

/** awsvpc networking (Fargate always; EC2 when the task definition uses awsvpc). */
export interface NetworkOptions {
  /**
   * Subnet ids (1–16) the tasks are placed in; give several availability zones.
   * @default the default subnets of the account's default VPC (one per availability zone), found
   * once per run with EC2 DescribeVpcs (`is-default`) and DescribeSubnets (`vpc-id`,
   * `default-for-az`) when the launch needs awsvpc; a {@link NoDefaultVpcError} when the account
   * has none
   */
  readonly subnets?: readonly string[];
  /**
   * Security group ids (at most 5).
   * @default the VPC's default security group (with default-VPC subnets: found with
   * DescribeSecurityGroups `group-name` default, `vpc-id`, and passed explicitly). It admits
   * inbound traffic only from its own members, so an orchestrator outside it cannot reach workers:
   * give a group that allows the worker port from where ecs-fanout runs.
   */
  readonly securityGroups?: readonly string[];
  /**
   * Give each task a public IP: `true`/`false`, or RunTask's own `"ENABLED"`/`"DISABLED"`.
   * @default true with the default VPC's subnets (they are public: without a public IP a task
   * there cannot pull its image), else false
   */
  readonly assignPublicIp?: boolean | "ENABLED" | "DISABLED";
  /**
   * Which address the orchestrator uses to reach workers.
   * @default "public" when assignPublicIp is on, else "private"
   */
  readonly endpoint?: "public" | "private";
}

/** Task-level overrides applied to every launched task. */
export interface TaskOverrides {
  /** Task CPU units, e.g. 2048 or "2048". @default the task definition's */
  readonly cpu?: string | number;
  /** Task memory in MiB, e.g. 4096 or "4096". @default the task definition's */
  readonly memory?: string | number;
  /** GPUs for the worker container (EC2 only). @default the task definition's */
  readonly gpu?: number;
  /**
   * Extra environment for the worker container, as `{ NAME: "value" }` or RunTask's
   * `[{ name, value }]`. FANOUT_RUN_ID, FANOUT_TOKEN_SHA256 and the FANOUT_TLS_* variables are always set by the run.
   */
  readonly environment?:
    | Readonly<Record<string, string>>
    | readonly { readonly name: string; readonly value: string }[];
}

/**
 * The networking a run launches its tasks with, once the default VPC fallback is decided; carried
 * by the `run.started` event.
 */
export interface RunNetwork {
  /** awsvpc subnets; undefined when the launch does not use awsvpc (EC2 bridge or host mode). */
  readonly subnets: readonly string[] | undefined;
  /** Security groups passed to RunTask; undefined: the VPC's default one, chosen by ECS. */
  readonly securityGroups: readonly string[] | undefined;
  readonly assignPublicIp: boolean;
  /** Which address the orchestrator uses to reach workers. */
  readonly endpoint: "public" | "private";
  /** The default VPC's id when the subnets (and security group) came from it, else undefined. */
  readonly defaultVpc: string | undefined;
}

/** {@link NetworkOptions} after normalization (what RunTask is built from). */
export interface ResolvedNetwork {
  readonly subnets: readonly string[];
  readonly securityGroups?: readonly string[] | undefined;
  readonly assignPublicIp: boolean;
  readonly endpoint?: "public" | "private" | undefined;
}

/** {@link TaskOverrides} after normalization (what RunTask is built from). */
export interface ResolvedOverrides {
  readonly cpu?: string | undefined;
  readonly memory?: string | undefined;
  readonly gpu?: number | undefined;
  readonly environment?: Readonly<Record<string, string>> | undefined;
}

/** Retry policy knobs. */
export interface RetryOptions {
  /**
   * Attempts per segment before it is reported failed (each attempt may run on another task).
   * @default 3
   */
  readonly segmentAttempts?: number;
  /**
   * Retries of a RunTask that failed for capacity/placement reasons (backoff with jitter).
   * @default 6
   */
  readonly launchRetries?: number;
  /**
   * Retries of a throttled or transient AWS call.
   * @default 8
   */
  readonly awsRetries?: number;
  /**
   * First backoff delay in ms (doubles each retry, randomized ×1–2).
   * @default 1000
   */
  readonly minBackoffMs?: number;
  /**
   * Largest backoff delay in ms.
   * @default 30000
   */
  readonly maxBackoffMs?: number;
  /**
   * Replacement tasks launched for tasks lost mid-run (Spot interruption, crash).
   * @default the planned task count
   */
  readonly maxReplacements?: number;
  /**
   * Resumes (HTTP Range) of one cut download before the attempt fails.
   * @default 5
   */
  readonly downloadResumes?: number;
}

/** Time limits, in milliseconds. */
export interface TimeoutOptions {
  /** Launch → RUNNING. @default 600000 */
  readonly taskStartMs?: number;
  /** RUNNING → worker answers /v1/health. @default 180000 */
  readonly workerReadyMs?: number;
  /** One segment attempt on a worker (upload to downloaded). @default 3600000 */
  readonly segmentMs?: number;
  /** One HTTP request's headers (long polls add their wait). @default 30000 */
  readonly httpMs?: number;
  /** How long a just-launched task may be MISSING from DescribeTasks (eventual consistency). @default 60000 */
  readonly missingMs?: number;
  /** Bounded wait for STOPPED after StopTask, to read final billing timestamps. @default 120000 */
  readonly stopWaitMs?: number;
}

/** Client-side token buckets that keep the run well inside the account's API buckets. */
export interface ApiRateOptions {
  /** RunTask/StopTask calls per second (account bucket: 40/s, Fargate RunTask 20/s). @default 4 */
  readonly modifyPerSecond?: number;
  /** @default 10 */
  readonly modifyBurst?: number;
  /** DescribeTasks/ListTasks/DescribeContainerInstances per second (account bucket: 20/s). @default 2 */
  readonly readPerSecond?: number;
  /** @default 10 */
  readonly readBurst?: number;
  /** EC2 and CloudWatch Logs calls per second. @default 5 */
  readonly otherPerSecond?: number;
  /** @default 10 */
  readonly otherBurst?: number;
}

/** Options of {@link executeParallelBatches} and {@link runParallelBatches}. */
export interface BatchRunOptions {
  /** The work. At least one segment; ids unique. */
  readonly segments: readonly Segment[];
  /** ECS cluster name or ARN. */
  readonly cluster: string;
  /** Task definition family, family:revision or ARN. */
  readonly taskDefinition: string;
  /** The worker container's name. @default the task definition's first essential container */
  readonly containerName?: string;
  /** The worker's container port. @default the container's first port mapping, else 8080 */
  readonly containerPort?: number;
  /** Where outputs land (created if missing). */
  readonly outputDir: string;
  /** Processor options for every segment (`processor` picks the worker processor). @default {} (ffmpeg-scale) */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Most tasks running at once. @default 10 */
  readonly maxParallelTasks?: number;
  /** Target segments per task: tasks = min(maxParallelTasks, ceil(segments / segmentsPerBatch)). @default 1 */
  readonly segmentsPerBatch?: number;
  /** Concurrent jobs per worker; must match the worker's FANOUT_SLOTS. @default 1 */
  readonly slotsPerTask?: number;
  /**
   * Upload the next segment while the current one processes. A look-ahead segment that has not
   * started yet is taken back by a task that runs out of work (cancelled there, uploaded again),
   * so it never waits behind a long segment while another task idles.
   * @default true
   */
  readonly lookAhead?: boolean;
  /**
   * Order in which the shared queue hands segments out (retries always go to the front).
   * @default "largest-first"
   */
  readonly order?: SegmentOrder;
  /**
   * How tasks get capacity: `{ type }` or just the type's name (`"FARGATE_SPOT"`). The RunTask-style
   * top-level `launchType`, `capacityProviderStrategy` and `fallbackToOnDemand` say the same.
   * @default { type: "FARGATE" }
   */
  readonly launch?: LaunchOptions | LaunchType;
  /** RunTask-style alternative to `launch`: `launchType: "FARGATE_SPOT"` is `launch: { type: "FARGATE_SPOT" }`. */
  readonly launchType?: LaunchType;
  /** RunTask-style alternative to `launch`: `launch: { type: "CAPACITY_PROVIDER", capacityProviderStrategy }`. */
  readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
  /** With FARGATE_SPOT: launch on-demand Fargate when Spot has no capacity. @default true */
  readonly fallbackToOnDemand?: boolean;
  /**
   * awsvpc networking: subnets, security groups, public IP, which address reaches the workers.
   * @default when the launch needs awsvpc (Fargate, or a task definition with `networkMode:
   * "awsvpc"`): the account's default VPC — its default subnets, its default security group and a
   * public IP (see {@link NetworkOptions}); otherwise none
   */
  readonly network?: NetworkOptions;
  readonly overrides?: TaskOverrides;
  /** Extra tags for every task (the run's own tags are always added). @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** RunTask `startedBy`; listTasks/cleanupStaleTasks find tasks by it. @default "ecs-fanout" */
  readonly startedBy?: string;
  /** RunTask platform version (Fargate). @default LATEST */
  readonly platformVersion?: string;
  /** DescribeTasks polling interval in ms (one call per interval for all tasks). @default 3000 */
  readonly pollIntervalMs?: number;
  readonly retry?: RetryOptions;
  readonly timeouts?: TimeoutOptions;
  /** TLS to the workers (on unless opted out) and the slowest transfer an attempt tolerates. */
  readonly transport?: TransportOptions;
  readonly apiRate?: ApiRateOptions;
  readonly pricing?: PricingOptions;
  /** Aborting stops launching, stops every task, then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /**
   * Clean up on SIGINT/SIGTERM: stop every task, then reject with RunInterruptedError (the caller decides how to exit).
   * @default false
   */
  readonly handleSignals?: boolean;
  /** Typed progress events; payloads are frozen. */
  readonly onEvent?: (event: FanoutEvent) => void;
  /** @default quiet (no output) */
  readonly logger?: Logger;
  /**
   * Pre-built AWS clients. Clients not given are created from `aws`, or, without it, from the
   * given ECS client's region, endpoint and credentials.
   */
  readonly clients?: AwsClients;
  /** How to create the AWS clients (region, endpoint, credentials). @default the SDK's default chains */
  readonly aws?: AwsConfig;
  /** Same as `aws` (e.g. `clientConfig: localEcs.clientConfig`); `aws` wins where both set a field. */
  readonly clientConfig?: AwsConfig;
  /** Shorthand for `aws.region`. */
  readonly region?: string;
  /** Shorthand for `aws.endpoint` (an AWS API endpoint, not the workers' address). */
  readonly endpoint?: string;
  /** Shorthand for `aws.credentials`. */
  readonly credentials?: AwsConfig["credentials"];
  /** The run id (uuid). @default a random uuid */
  readonly runId?: string;
  /**
   * Where the run appends its record (JSON lines: options, tasks, segment attempts, cost), or
   * `false` for none. See docs/run-record.md.
   * @default `<outputDir>/ecs-fanout-manifest.jsonl`
   */
  readonly manifest?: string | false;
  /**
   * Read the manifest first and run only what it does not prove done: a segment whose output is
   * on disk with the recorded size and sha256, from an input of the recorded size and sha256, is
   * reused; everything else runs. Tasks the earlier run left are stopped and priced into this
   * run's cost. Without a manifest (or with `manifest: false`) it runs everything.
   * @default false
   */
  readonly resume?: boolean;
}
