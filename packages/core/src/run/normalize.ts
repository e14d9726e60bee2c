import { randomUUID } from "node:crypto";
import { extname, resolve } from "node:path";
import { ValidationError } from "../errors.js";
import type { FanoutEvent } from "../events.js";
import { type Logger, quietLogger } from "../logger.js";
import type {
  ApiRateOptions,
  AwsClients,
  AwsConfig,
  BatchRunOptions,
  LaunchOptions,
  ResolvedOverrides,
  SegmentInput,
  SegmentOrder,
} from "../options.js";
import type { PricingOptions } from "../pricing.js";
import { MANIFEST_NAME } from "../record/writer.js";
import { DEFAULT_STARTED_BY } from "../tags.js";
import { type ResolvedTransportOptions, transportOptionsSchema } from "../worker/transport-options.js";
import { canonicalRunOptions } from "./aliases.js";
import { validateRunOptions } from "./validate.js";

/** A segment with its output path decided. */
export interface PlannedSegment {
  readonly id: string;
  readonly input: SegmentInput;
  readonly params: Readonly<Record<string, unknown>>;
  readonly outputName: string;
  readonly outputPath: string;
  /** The caller's size hint, if any (see `resolveWeights` for the default). */
  readonly weight: number | undefined;
}

/** `network` as given, spellings unified; what is absent is decided once the task definition is known. */
export interface NetworkRequest {
  readonly subnets: readonly string[] | undefined;
  readonly securityGroups: readonly string[] | undefined;
  readonly assignPublicIp: boolean | undefined;
  readonly endpoint: "public" | "private" | undefined;
}

/** Run options after defaults: every field decided once, here (networking once the task definition is known). */
export interface NormalizedRunOptions {
  readonly runId: string;
  readonly segments: readonly PlannedSegment[];
  readonly cluster: string;
  readonly taskDefinition: string;
  readonly containerName: string | undefined;
  readonly containerPort: number | undefined;
  readonly outputDir: string;
  readonly maxParallelTasks: number;
  readonly segmentsPerBatch: number;
  readonly slotsPerTask: number;
  readonly lookAhead: boolean;
  readonly order: SegmentOrder;
  readonly launch: LaunchOptions;
  /** As given (subnets may be absent: the default VPC's, decided by `resolveRunNetwork`). */
  readonly network: NetworkRequest | undefined;
  readonly overrides: ResolvedOverrides;
  readonly tags: Readonly<Record<string, string>>;
  readonly startedBy: string;
  readonly platformVersion: string | undefined;
  readonly pollIntervalMs: number;
  readonly retry: {
    readonly segmentAttempts: number;
    readonly launchRetries: number;
    readonly awsRetries: number;
    readonly minBackoffMs: number;
    readonly maxBackoffMs: number;
    readonly maxReplacements: number | undefined;
    readonly downloadResumes: number;
  };
  readonly timeouts: {
    readonly taskStartMs: number;
    readonly workerReadyMs: number;
    readonly segmentMs: number;
    readonly httpMs: number;
    readonly missingMs: number;
    readonly stopWaitMs: number;
  };
  readonly transport: ResolvedTransportOptions;
  readonly apiRate: Required<ApiRateOptions>;
  readonly pricing: PricingOptions;
  readonly signal: AbortSignal | undefined;
  readonly handleSignals: boolean;
  readonly onEvent: ((event: FanoutEvent) => void) | undefined;
  readonly logger: Logger;
  readonly clients: AwsClients;
  readonly aws: AwsConfig | undefined;
  /** Absolute path of the manifest, or undefined for none. */
  readonly manifest: string | undefined;
  readonly resume: boolean;
}

const RETRY_DEFAULTS: NormalizedRunOptions["retry"] = {
  segmentAttempts: 3,
  launchRetries: 6,
  awsRetries: 8,
  minBackoffMs: 1000,
  maxBackoffMs: 30_000,
  maxReplacements: undefined, // unset: as many as the plan has tasks (see RunState)
  downloadResumes: 5,
};

const TIMEOUT_DEFAULTS: NormalizedRunOptions["timeouts"] = {
  taskStartMs: 600_000,
  workerReadyMs: 180_000,
  segmentMs: 3_600_000,
  httpMs: 30_000,
  missingMs: 60_000,
  stopWaitMs: 120_000,
};

const API_RATE_DEFAULTS: NormalizedRunOptions["apiRate"] = {
  modifyPerSecond: 4,
  modifyBurst: 10,
  readPerSecond: 2,
  readBurst: 10,
  otherPerSecond: 5,
  otherBurst: 10,
};

/** `defaults` with every field `given` sets (undefined means "use the default", as for top-level options). */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T)[]) {
    const value = given?.[key];
    if (value !== undefined) out[key] = value as T[keyof T];
  }
  return out;
}

/** Default output name: the id plus the input's extension. */
export function defaultOutputName(id: string, input: SegmentInput): string {
  const source = "path" in input ? input.path : safeUrlPath(input.url);
  const ext = extname(source);
  return `${id}${ext === "" ? ".out" : ext}`;
}

function safeUrlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

/** Copies the options, applies defaults and validates; throws one ValidationError listing every problem. */
export function normalizeRunOptions(given: BatchRunOptions): NormalizedRunOptions {
  const problems = validateRunOptions(given);
  if (problems.length > 0) throw new ValidationError("run options", problems);
  // Valid, so every alternative spelling is now in its one canonical form.
  const options = canonicalRunOptions(given).options;
  const outputDir = resolve(options.outputDir);
  const params = options.params ?? {};
  const network = options.network;
  return {
    runId: options.runId ?? randomUUID(),
    segments: options.segments.map((s) => {
      const outputName = s.outputName ?? defaultOutputName(s.id, s.input);
      return {
        id: s.id,
        input: "path" in s.input ? { path: resolve(s.input.path) } : { url: s.input.url },
        params: { ...params, ...s.params },
        outputName,
        outputPath: resolve(outputDir, outputName),
        weight: s.weight,
      };
    }),
    cluster: options.cluster,
    taskDefinition: options.taskDefinition,
    containerName: options.containerName,
    containerPort: options.containerPort,
    outputDir,
    maxParallelTasks: options.maxParallelTasks ?? 10,
    segmentsPerBatch: options.segmentsPerBatch ?? 1,
    slotsPerTask: options.slotsPerTask ?? 1,
    lookAhead: options.lookAhead ?? true,
    order: options.order ?? "largest-first",
    launch: (options.launch as LaunchOptions | undefined) ?? { type: "FARGATE" },
    network:
      network === undefined
        ? undefined
        : {
            subnets: network.subnets === undefined ? undefined : [...network.subnets],
            securityGroups: network.securityGroups === undefined ? undefined : [...network.securityGroups],
            assignPublicIp: network.assignPublicIp as boolean | undefined,
            endpoint: network.endpoint,
          },
    overrides: (options.overrides as ResolvedOverrides | undefined) ?? {},
    tags: options.tags ?? {},
    startedBy: options.startedBy ?? DEFAULT_STARTED_BY,
    platformVersion: options.platformVersion,
    pollIntervalMs: options.pollIntervalMs ?? 3000,
    retry: withDefaults(RETRY_DEFAULTS, options.retry),
    timeouts: withDefaults(TIMEOUT_DEFAULTS, options.timeouts),
    transport: transportOptionsSchema.parse(options.transport ?? {}),
    apiRate: withDefaults(API_RATE_DEFAULTS, options.apiRate),
    pricing: options.pricing ?? {},
    signal: options.signal,
    handleSignals: options.handleSignals ?? false,
    onEvent: options.onEvent,
    logger: options.logger ?? quietLogger,
    clients: options.clients ?? {},
    aws: options.aws,
    manifest: options.manifest === false ? undefined : resolve(outputDir, options.manifest ?? MANIFEST_NAME),
    resume: options.resume ?? false,
  };
}
