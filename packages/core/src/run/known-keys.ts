import type { ValidationProblem } from "../errors.js";
import type {
  ApiRateOptions,
  AwsClients,
  AwsConfig,
  BatchRunOptions,
  NetworkOptions,
  RetryOptions,
  Segment,
  TaskOverrides,
  TimeoutOptions,
} from "../options.js";
import type { PricingOptions } from "../pricing.js";

/**
 * The option names each object accepts. Typed as `Record<keyof T, true>` so the compiler fails
 * when an option is added to the interface but not here (or the other way round): a typo such as
 * `maxParalelTasks` from JavaScript must be an error, not a silently ignored key.
 */
type Keys<T> = Record<keyof T, true>;

const RUN: Keys<BatchRunOptions> = {
  segments: true,
  cluster: true,
  taskDefinition: true,
  containerName: true,
  containerPort: true,
  outputDir: true,
  params: true,
  maxParallelTasks: true,
  segmentsPerBatch: true,
  slotsPerTask: true,
  lookAhead: true,
  order: true,
  launch: true,
  launchType: true,
  capacityProviderStrategy: true,
  fallbackToOnDemand: true,
  network: true,
  overrides: true,
  tags: true,
  startedBy: true,
  platformVersion: true,
  pollIntervalMs: true,
  retry: true,
  timeouts: true,
  transport: true,
  apiRate: true,
  pricing: true,
  signal: true,
  handleSignals: true,
  onEvent: true,
  logger: true,
  clients: true,
  aws: true,
  clientConfig: true,
  region: true,
  endpoint: true,
  credentials: true,
  runId: true,
  manifest: true,
  resume: true,
};

const SEGMENT: Keys<Segment> = { id: true, input: true, params: true, outputName: true, weight: true };
const NETWORK: Keys<NetworkOptions> = {
  subnets: true,
  securityGroups: true,
  assignPublicIp: true,
  endpoint: true,
};
const OVERRIDES: Keys<TaskOverrides> = { cpu: true, memory: true, gpu: true, environment: true };
const RETRY: Keys<RetryOptions> = {
  segmentAttempts: true,
  launchRetries: true,
  awsRetries: true,
  minBackoffMs: true,
  maxBackoffMs: true,
  maxReplacements: true,
  downloadResumes: true,
};
const TIMEOUTS: Keys<TimeoutOptions> = {
  taskStartMs: true,
  workerReadyMs: true,
  segmentMs: true,
  httpMs: true,
  missingMs: true,
  stopWaitMs: true,
};
const API_RATE: Keys<ApiRateOptions> = {
  modifyPerSecond: true,
  modifyBurst: true,
  readPerSecond: true,
  readBurst: true,
  otherPerSecond: true,
  otherBurst: true,
};
const PRICING: Keys<PricingOptions> = {
  region: true,
  fargate: true,
  ec2: true,
  spotDiscount: true,
  minimumBilledSeconds: true,
  architecture: true,
  instanceType: true,
};
const AWS: Keys<AwsConfig> = { region: true, endpoint: true, credentials: true };
const CLIENTS: Keys<AwsClients> = { ecs: true, ec2: true, logs: true };
/** Every field of every LaunchOptions variant; which fields fit which `type` is validateLaunch's job. */
const LAUNCH = { type: true, fallbackToOnDemand: true, capacityProviderStrategy: true } as const;

/** Nested option objects, by the top-level key that holds them. */
const NESTED: Readonly<Record<string, Readonly<Record<string, true>>>> = {
  network: NETWORK,
  overrides: OVERRIDES,
  retry: RETRY,
  timeouts: TIMEOUTS,
  apiRate: API_RATE,
  pricing: PRICING,
  aws: AWS,
  clientConfig: AWS,
  clients: CLIENTS,
  launch: LAUNCH,
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof AbortSignal);

/** Problems for keys the options do not define, at any level we own, with the closest known name. */
export function unknownKeyProblems(given: Readonly<Record<string, unknown>>): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  collect(given, RUN, "", problems);
  for (const [key, known] of Object.entries(NESTED)) {
    const value = given[key];
    if (isRecord(value)) collect(value, known, `${key}.`, problems);
  }
  if (Array.isArray(given.segments)) {
    given.segments.forEach((segment: unknown, i) => {
      if (isRecord(segment)) collect(segment, SEGMENT, `segments[${i}].`, problems);
    });
  }
  return problems;
}

function collect(
  value: Readonly<Record<string, unknown>>,
  known: Readonly<Record<string, true>>,
  prefix: string,
  into: ValidationProblem[],
): void {
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(known, key)) continue;
    const near = closest(key, Object.keys(known));
    into.push({
      path: `${prefix}${key}`,
      message: `unknown option${near === undefined ? "" : ` (did you mean "${prefix}${near}"?)`}`,
    });
  }
}

/** The known name within edit distance 3 (and under half the name's length) of `key`, if any. */
function closest(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(key.length / 2));
  for (const name of names) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d <= bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
