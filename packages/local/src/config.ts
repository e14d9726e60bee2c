import { LocalEcsConfigError } from "./errors.js";
import { bool, isRecord, list, num, object, oneOf, optional, required, str, stringMap } from "./schema.js";

/** Maps a container image to the local command that plays it. */
export interface ImageMapping {
  /** Exact image name, or a glob where `*` matches any run of characters. */
  match: string;
  /** Executable and arguments; `"node"` as the executable means this Node binary. */
  command: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** A named EC2 capacity provider: an Auto Scaling group of identical instances, launched on demand. */
export interface CapacityProviderConfig {
  name: string;
  /** GPUs of each instance. */
  gpusPerInstance: number;
  /** The group's maximum size. */
  instances: number;
  /** @default "g5.xlarge" */
  instanceType?: string;
  /** CPU units registered by each instance. @default 4096 */
  cpuPerInstance?: number;
  /** MiB registered by each instance. @default 15360 */
  memoryPerInstance?: number;
  /** Time from scale-out until the instance has registered. @default 0 */
  provisioningDelayMs?: number;
}

/**
 * Faults the endpoint injects, for tests and benchmarks. Random decisions are seeded, so a run
 * repeats exactly. Change them while running with {@link LocalEcs.setFaults}.
 */
export interface FaultConfig {
  /** Seed of every random fault decision. @default 1 */
  seed?: number;
  /** Throttle this fraction of calls (of `actions`, or of every action), as AWS would. */
  throttle?: { fraction: number; actions?: string[] };
  /**
   * Fail RunTask placements (returned in `failures[]`): `script` gives one outcome per placement
   * in order ("" = placed), then `fraction` applies; only for `launchTypes` (launch types or
   * capacity providers) when given.
   * @default reason "Capacity is unavailable at this time. …" (what Fargate says)
   */
  placementFailures?: { fraction?: number; reason?: string; script?: string[]; launchTypes?: string[] };
  /** Every FARGATE_SPOT placement fails with capacity unavailable. @default false */
  spotCapacityUnavailable?: boolean;
  /** New tasks are reported MISSING by DescribeTasks for this long (eventual consistency). @default 0 */
  missingMs?: number;
  /** Extra delay, drawn between `min` and `max` ms, before a task reaches RUNNING. */
  startupDelayMs?: { min: number; max: number };
  /** Interrupt this fraction of Spot tasks `afterMs` after RUNNING, as {@link LocalEcs.interruptTask}. */
  spotInterruptions?: { fraction: number; afterMs: number };
  /** Crash this fraction of tasks (SIGKILL, exit 137) `afterMs` after RUNNING. */
  crashes?: { fraction: number; afterMs: number };
}

/**
 * Options of {@link startLocalEcs}; every one is optional. Validated together: a bad config
 * throws {@link LocalEcsConfigError} listing every problem.
 */
export interface LocalEcsConfig {
  /** @default 0 (any free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default "us-east-1" */
  region?: string;
  /** @default "000000000000" */
  accountId?: string;
  /** @default every image runs the @ecs-fanout/worker bin with node */
  images?: ImageMapping[];
  /** @default { privateCidr: "127.0.1.0/24", publicCidr: "127.0.2.0/24" } */
  addresses?: { privateCidr?: string; publicCidr?: string };
  /** Clusters created at start; "default" always exists. */
  clusters?: string[];
  /** EC2 capacity providers (GPU instances) that exist from the start. @default [] */
  capacityProviders?: CapacityProviderConfig[];
  /** @default { provisioningMs: 50, pullMs: 100, stopTimeoutMsScale: 1, spotNoticeMs: 2000 } */
  timings?: { provisioningMs?: number; pullMs?: number; stopTimeoutMsScale?: number; spotNoticeMs?: number };
  /** Enforce the token buckets AWS documents. @default false */
  rateLimits?: boolean;
  /** Faults to inject from the start. @default {} (none) */
  faults?: FaultConfig;
  /** Also write each task's output to `<logDir>/<taskId>.log`. */
  logDir?: string;
  /**
   * The account has a default VPC (one default subnet per zone a–c, a "default" security group),
   * served by EC2 DescribeVpcs, DescribeSubnets and DescribeSecurityGroups. `false`: an account
   * without one, where those calls find nothing.
   * @default true
   */
  defaultVpc?: boolean;
  /**
   * How a task's containers run. `"process"`: each as a local process (the `images` mapping picks
   * the command). `"container"`: each as an OCI container with runc, from the image of that name
   * in buildah's local storage, with the task's cpu and memory as cgroup limits (Linux, root,
   * runc and buildah; see docs/local-endpoint.md).
   * @default "process"
   */
  runtime?: "process" | "container";
}

/** {@link LocalEcsConfig} validated, with every default applied. */
export interface NormalizedConfig {
  port: number;
  host: string;
  region: string;
  accountId: string;
  images: ImageMapping[] | undefined;
  addresses: { privateCidr: string; publicCidr: string };
  clusters: string[];
  capacityProviders: Required<CapacityProviderConfig>[];
  timings: { provisioningMs: number; pullMs: number; stopTimeoutMsScale: number; spotNoticeMs: number };
  rateLimits: boolean;
  faults: FaultConfig;
  logDir: string | undefined;
  defaultVpc: boolean;
  runtime: "process" | "container";
}

const cidr = str({
  pattern: /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}\/(1[6-9]|2\d|30)$/,
  what: "a 127.0.0.0/8 CIDR with prefix 16-30",
});
const ms = num({ min: 0, integer: true });
const fraction = num({ min: 0, max: 1 });

export const faultSchema = object({
  seed: optional("PRNG seed", num({ integer: true })),
  throttle: optional(
    "throttle a fraction of calls",
    object({
      fraction: required("fraction 0-1", fraction),
      actions: optional("action names", list(str({ min: 1 }))),
    }),
  ),
  placementFailures: optional(
    "fail RunTask placements",
    object({
      fraction: optional("fraction 0-1", fraction),
      reason: optional("failure reason", str({ min: 1 })),
      script: optional('one entry per placement, "" = ok', list(str())),
      launchTypes: optional("launch types or capacity providers affected", list(str({ min: 1 }))),
    }),
  ),
  spotCapacityUnavailable: optional("every FARGATE_SPOT placement fails", bool),
  missingMs: optional("new tasks are MISSING in DescribeTasks this long", ms),
  startupDelayMs: optional(
    "extra start-up delay",
    object({ min: required("ms", ms), max: required("ms", ms) }),
  ),
  spotInterruptions: optional(
    "interrupt a fraction of Spot tasks",
    object({ fraction: required("fraction 0-1", fraction), afterMs: required("ms", ms) }),
  ),
  crashes: optional(
    "crash a fraction of tasks",
    object({ fraction: required("fraction 0-1", fraction), afterMs: required("ms", ms) }),
  ),
});

export const configSchema = object({
  port: optional("TCP port", num({ min: 0, max: 65535, integer: true })),
  host: optional(
    "loopback host",
    str({ pattern: /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$|^localhost$/, what: "a loopback address" }),
  ),
  region: optional(
    "AWS region",
    str({ pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, what: "a region such as us-east-1" }),
  ),
  accountId: optional("12-digit account id", str({ pattern: /^\d{12}$/, what: "12 digits" })),
  images: optional(
    "image → command",
    list(
      object({
        match: required("image or glob", str({ min: 1 })),
        command: required("command", list(str({ min: 1 }), { min: 1 })),
        env: optional("environment", stringMap),
        cwd: optional("working directory", str({ min: 1 })),
      }),
    ),
  ),
  addresses: optional(
    "address pools",
    object({ privateCidr: optional("private pool", cidr), publicCidr: optional("public pool", cidr) }),
  ),
  clusters: optional("clusters", list(str({ pattern: /^[a-zA-Z0-9_-]{1,255}$/, what: "a cluster name" }))),
  capacityProviders: optional(
    "EC2 capacity providers",
    list(
      object({
        name: required(
          "name",
          str({ pattern: /^(?!(aws|ecs|fargate))[a-zA-Z0-9_-]{1,255}$/i, what: "a provider name" }),
        ),
        gpusPerInstance: required("GPUs per instance", num({ min: 0, max: 16, integer: true })),
        instances: required("maximum instances", num({ min: 0, max: 1000, integer: true })),
        instanceType: optional("instance type", str({ min: 1 })),
        cpuPerInstance: optional("CPU units", num({ min: 128, integer: true })),
        memoryPerInstance: optional("MiB", num({ min: 128, integer: true })),
        provisioningDelayMs: optional("ms", ms),
      }),
    ),
  ),
  timings: optional(
    "timings",
    object({
      provisioningMs: optional("ms", ms),
      pullMs: optional("ms", ms),
      stopTimeoutMsScale: optional("scale", num({ min: 0 })),
      spotNoticeMs: optional("ms", ms),
    }),
  ),
  rateLimits: optional("token buckets", bool),
  faults: optional("faults", faultSchema),
  logDir: optional("directory", str({ min: 1 })),
  defaultVpc: optional("the account has a default VPC", bool),
  runtime: optional("task runtime", oneOf(["process", "container"])),
});

/**
 * Copy, validate (every problem at once) and apply defaults.
 *
 * @throws {@link LocalEcsConfigError} listing every problem.
 */
export function normalizeConfig(input: unknown = {}): NormalizedConfig {
  const problems: string[] = [];
  configSchema(input ?? {}, "config", problems);
  if (problems.length > 0) throw new LocalEcsConfigError(problems);
  const c = (isRecord(input) ? input : {}) as LocalEcsConfig;
  const names = new Set<string>();
  for (const p of c.capacityProviders ?? []) {
    if (names.has(p.name))
      problems.push(`config.capacityProviders: expected unique names, got "${p.name}" twice`);
    names.add(p.name);
  }
  const delay = c.faults?.startupDelayMs;
  if (delay && delay.min > delay.max) {
    problems.push(`config.faults.startupDelayMs: expected min <= max, got ${delay.min} > ${delay.max}`);
  }
  if (problems.length > 0) throw new LocalEcsConfigError(problems);
  return {
    port: c.port ?? 0,
    host: c.host ?? "127.0.0.1",
    region: c.region ?? "us-east-1",
    accountId: c.accountId ?? "000000000000",
    images: c.images?.map((i) => ({ ...i, command: [...i.command], env: { ...i.env } })),
    addresses: {
      privateCidr: c.addresses?.privateCidr ?? "127.0.1.0/24",
      publicCidr: c.addresses?.publicCidr ?? "127.0.2.0/24",
    },
    clusters: [...new Set(["default", ...(c.clusters ?? [])])],
    capacityProviders: (c.capacityProviders ?? []).map((p) => ({
      instanceType: "g5.xlarge",
      cpuPerInstance: 4096,
      memoryPerInstance: 15360,
      provisioningDelayMs: 0,
      ...p,
    })),
    timings: {
      provisioningMs: c.timings?.provisioningMs ?? 50,
      pullMs: c.timings?.pullMs ?? 100,
      stopTimeoutMsScale: c.timings?.stopTimeoutMsScale ?? 1,
      spotNoticeMs: c.timings?.spotNoticeMs ?? 2000,
    },
    rateLimits: c.rateLimits ?? false,
    faults: structuredClone(c.faults ?? {}),
    logDir: c.logDir,
    defaultVpc: c.defaultVpc ?? true,
    runtime: c.runtime ?? "process",
  };
}

/** Validate a partial fault config (for `setFaults`). */
export function validateFaults(input: unknown): FaultConfig {
  const problems: string[] = [];
  faultSchema(input, "faults", problems);
  if (problems.length > 0) throw new LocalEcsConfigError(problems);
  return structuredClone(input as FaultConfig);
}
