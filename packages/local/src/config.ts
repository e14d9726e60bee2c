import { checkSchema, expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { LocalEcsConfigError } from "./errors.js";

// One strict schema for `startLocalEcs(config)` and the bin's `--config` file: an unknown key at
// any depth is a problem naming its path and the closest known key. Each default lives here once.

const ms = z.number().int().min(0);
const fraction = z.number().min(0).max(1);
const nonEmpty = z.string().min(1);
const cidr = z
  .string()
  .regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}\/(1[6-9]|2\d|30)$/)
  .describe("a 127.0.0.0/8 CIDR with prefix 16-30");

/** Maps a container image to the local command that plays it. */
export const imageMappingSchema = z.strictObject({
  /** Exact image name, or a glob where `*` matches any run of characters. */
  match: nonEmpty,
  /** Executable and arguments; `"node"` as the executable means this Node binary. */
  command: z.array(nonEmpty).min(1),
  /** Extra environment of the process. */
  env: z.record(z.string(), z.string()).optional(),
  /** Working directory of the process. */
  cwd: nonEmpty.optional(),
});

/** A named EC2 capacity provider: an Auto Scaling group of identical instances, launched on demand. */
export const capacityProviderSchema = z.strictObject({
  name: z
    .string()
    .regex(/^(?!(aws|ecs|fargate))[a-zA-Z0-9_-]{1,255}$/i)
    .describe("a provider name (letters, digits, - and _, not starting with aws, ecs or fargate)"),
  /** GPUs of each instance. */
  gpusPerInstance: z.number().int().min(0).max(16),
  /** The group's maximum size. */
  instances: z.number().int().min(0).max(1000),
  /** @default "g5.xlarge" */
  instanceType: nonEmpty.default("g5.xlarge"),
  /** CPU units registered by each instance. @default 4096 */
  cpuPerInstance: z.number().int().min(128).default(4096),
  /** MiB registered by each instance. @default 15360 */
  memoryPerInstance: z.number().int().min(128).default(15360),
  /** Time from scale-out until the instance has registered. @default 0 */
  provisioningDelayMs: ms.default(0),
});

/** A range with a lower bound, as the ECS API's instance requirements give vCPUs and memory. */
const minMax = (what: string) =>
  z
    .strictObject({ min: z.number().int().min(0), max: z.number().int().min(0).optional() })
    .describe(`a { min, max? } range of ${what}`);
const range = z.strictObject({
  min: z.number().int().min(0).optional(),
  max: z.number().int().min(0).optional(),
});

/**
 * The instance requirements of a Managed Instances provider: the subset of the ECS API's
 * `InstanceRequirementsRequest` the endpoint selects instance types by (see `instance-types.ts`).
 */
export const instanceRequirementsSchema = z.strictObject({
  vCpuCount: minMax("vCPUs"),
  memoryMiB: minMax("MiB"),
  cpuManufacturers: z.array(z.enum(["intel", "amd", "amazon-web-services"])).optional(),
  acceleratorTypes: z.array(z.enum(["gpu", "fpga", "inference"])).optional(),
  acceleratorManufacturers: z
    .array(z.enum(["amazon-web-services", "amd", "nvidia", "xilinx", "habana"]))
    .optional(),
  acceleratorNames: z
    .array(
      z.enum([
        "a100",
        "inferentia",
        "k520",
        "k80",
        "m60",
        "radeon-pro-v520",
        "t4",
        "vu9p",
        "v100",
        "a10g",
        "h100",
        "t4g",
      ]),
    )
    .optional(),
  acceleratorCount: range.optional(),
  acceleratorTotalMemoryMiB: range.optional(),
  allowedInstanceTypes: z.array(nonEmpty).max(400).optional(),
  excludedInstanceTypes: z.array(nonEmpty).max(400).optional(),
});

/** How Managed Instances capacity arrives, for every Managed Instances provider. */
export const managedInstancesSchema = z.strictObject({
  /** Time from the need for capacity until a batch of instances has registered (AWS: 2–5 min). @default 1000 */
  batchDelayMs: ms.default(1000),
  /** Instances launched per batch. @default 2 */
  batchSize: z.number().int().min(1).max(100).default(2),
  /** Instances one provider may have at once (the account's quota, in effect). @default 10 */
  maxInstances: z.number().int().min(0).max(1000).default(10),
  /**
   * While capacity is short, RunTask either fails the placements with the resource that ran out
   * (`"fail"`: `RESOURCE:MEMORY`, `RESOURCE:GPU`, …, and a batch is launched for them) or leaves
   * the tasks in PROVISIONING until an instance has room (`"wait"`). @default "wait"
   */
  whileLaunching: z.enum(["wait", "fail"]).default("wait"),
  /**
   * A task waiting in PROVISIONING this long is stopped (TaskFailedToStart); AWS waits 10–30
   * minutes. @default 600000
   */
  provisioningTimeoutMs: ms.default(600_000),
});

/** A Managed Instances capacity provider that exists from the start (CreateCapacityProvider makes others). */
export const managedProviderSchema = z.strictObject({
  name: z
    .string()
    .regex(/^(?!(aws|ecs|fargate))[a-zA-Z0-9_-]{1,255}$/i)
    .describe("a provider name (letters, digits, - and _, not starting with aws, ecs or fargate)"),
  /** The cluster it belongs to (Managed Instances providers are cluster-scoped); listed in `clusters`. */
  cluster: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,255}$/)
    .describe("a cluster name"),
  /** @default "ON_DEMAND" */
  capacityOptionType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
  /** Unset: the cheapest general-purpose type that fits each task, as AWS chooses. */
  instanceRequirements: instanceRequirementsSchema.optional(),
});

/**
 * Faults the endpoint injects, for tests and benchmarks. Random decisions are seeded, so a run
 * repeats exactly. Change them while running with `LocalEcs.setFaults`.
 */
export const faultSchema = z
  .strictObject({
    /** Seed of every random fault decision. @default 1 (applied by the fault streams) */
    seed: z.number().int().optional(),
    /** Throttle this fraction of calls (of `actions`, or of every action), as AWS would. */
    throttle: z.strictObject({ fraction, actions: z.array(nonEmpty).optional() }).optional(),
    /**
     * Fail RunTask placements (returned in `failures[]`): `script` gives one outcome per placement
     * in order ("" = placed), then `fraction` applies; only for `launchTypes` (launch types or
     * capacity providers) when given. The reason defaults to what Fargate says ("Capacity is
     * unavailable at this time. …").
     */
    placementFailures: z
      .strictObject({
        fraction: fraction.optional(),
        reason: nonEmpty.optional(),
        script: z.array(z.string()).optional(),
        launchTypes: z.array(nonEmpty).optional(),
      })
      .optional(),
    /** Every FARGATE_SPOT placement fails with capacity unavailable. */
    spotCapacityUnavailable: z.boolean().optional(),
    /** New tasks are reported MISSING by DescribeTasks for this long (eventual consistency). */
    missingMs: ms.optional(),
    /** Extra delay, drawn between `min` and `max` ms, before a task reaches RUNNING. */
    startupDelayMs: z.strictObject({ min: ms, max: ms }).optional(),
    /** Interrupt this fraction of Spot tasks `afterMs` after RUNNING, as `LocalEcs.interruptTask`. */
    spotInterruptions: z.strictObject({ fraction, afterMs: ms }).optional(),
    /**
     * Reclaim this fraction of Managed Instances Spot instances `afterMs` after they register: every
     * task on one gets the Spot notice (SIGTERM, SIGKILL after `spotNoticeMs`, stopCode
     * SpotInterruption) and the instance goes away.
     */
    instanceReclaims: z.strictObject({ fraction, afterMs: ms }).optional(),
    /** Crash this fraction of tasks (SIGKILL, exit 137) `afterMs` after RUNNING. */
    crashes: z.strictObject({ fraction, afterMs: ms }).optional(),
  })
  .superRefine((faults, ctx) => {
    const delay = faults.startupDelayMs;
    if (delay && delay.min > delay.max)
      ctx.addIssue({
        code: "custom",
        path: ["startupDelayMs"],
        message: expectedGot(`min (${delay.min}) ≤ max`, delay.max),
      });
  });

/** Options of `startLocalEcs` and the bin's `--config` file; every one is optional. */
export const configSchema = z
  .strictObject({
    /** TCP port; 0 picks any free port. @default 0 */
    port: z.number().int().min(0).max(65535).default(0),
    /** Loopback address to listen on. @default "127.0.0.1" */
    host: z
      .string()
      .regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$|^localhost$/)
      .describe("a loopback address")
      .default("127.0.0.1"),
    /** @default "us-east-1" */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
      .describe("a region such as us-east-1")
      .default("us-east-1"),
    /** @default "000000000000" */
    accountId: z
      .string()
      .regex(/^\d{12}$/)
      .describe("a 12-digit account id")
      .default("000000000000"),
    /** Image → command. Unset: every image runs the @ecs-fanout/worker bin with Node. */
    images: z.array(imageMappingSchema).optional(),
    /** Loopback pools task addresses come from. */
    addresses: z
      .strictObject({
        /** @default "127.0.1.0/24" */
        privateCidr: cidr.default("127.0.1.0/24"),
        /** @default "127.0.2.0/24" */
        publicCidr: cidr.default("127.0.2.0/24"),
      })
      .prefault({}),
    /**
     * Clusters created at start. Like a new AWS account, there is no "default" cluster unless it
     * is listed here or made with CreateCluster. @default []
     */
    clusters: z
      .array(
        z
          .string()
          .regex(/^[a-zA-Z0-9_-]{1,255}$/)
          .describe("a cluster name"),
      )
      .default([]),
    /** EC2 capacity providers (GPU instances) that exist from the start. @default [] */
    capacityProviders: z.array(capacityProviderSchema).default([]),
    /** ECS Managed Instances providers that exist from the start. @default [] */
    managedInstancesProviders: z.array(managedProviderSchema).default([]),
    /** How Managed Instances capacity arrives (batches, delays, placement while launching). */
    managedInstances: managedInstancesSchema.prefault({}),
    timings: z
      .strictObject({
        /** PROVISIONING and DEPROVISIONING each take this long. @default 50 */
        provisioningMs: ms.default(50),
        /** The image pull takes this long. @default 100 */
        pullMs: ms.default(100),
        /** Scales each container's `stopTimeout` (and the 30 s default). @default 1 */
        stopTimeoutMsScale: z.number().min(0).default(1),
        /** The Spot interruption notice (two minutes on AWS). @default 2000 */
        spotNoticeMs: ms.default(2000),
        /** Scales container health check intervals, timeouts and start periods. @default 1 */
        healthCheckMsScale: z.number().min(0).default(1),
      })
      .prefault({}),
    /**
     * Subnets the account has besides the default VPC's, each as `subnet-` and 8 or 17 hex digits:
     * they belong to a VPC of their own (not the default one). RunTask refuses any other subnet id,
     * as AWS does. @default []
     */
    subnets: z
      .array(
        z
          .string()
          .regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/)
          .describe("a subnet id (subnet- and 8 or 17 hex digits)"),
      )
      .default([]),
    /** Enforce the token buckets AWS documents. @default false */
    rateLimits: z.boolean().default(false),
    /** Faults to inject from the start. @default {} (none) */
    faults: faultSchema.prefault({}),
    /** Also write each task's output to `<logDir>/<taskId>.log`. */
    logDir: nonEmpty.optional(),
    /**
     * The account has a default VPC (one default subnet per zone a–c, a "default" security group).
     * `false`: an account without one, where DescribeVpcs, DescribeSubnets and
     * DescribeSecurityGroups find nothing.
     * @default true
     */
    defaultVpc: z.boolean().default(true),
    /**
     * How a task's containers run. `"process"`: each as a local process (the `images` mapping
     * picks the command). `"container"`: each as an OCI container with runc, from the image of
     * that name in buildah's local storage, with the task's cpu and memory as cgroup limits
     * (Linux, root, runc and buildah; see docs/local-endpoint.md).
     * @default "process"
     */
    runtime: z.enum(["process", "container"]).default("process"),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.capacityProviders.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({
          code: "custom",
          path: ["capacityProviders", i, "name"],
          message: expectedGot("a name not used by another provider", p.name),
        });
      seen.add(p.name);
    });
    config.managedInstancesProviders.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({
          code: "custom",
          path: ["managedInstancesProviders", i, "name"],
          message: expectedGot("a name not used by another provider", p.name),
        });
      seen.add(p.name);
      if (!config.clusters.includes(p.cluster))
        ctx.addIssue({
          code: "custom",
          path: ["managedInstancesProviders", i, "cluster"],
          message: expectedGot(
            `one of the clusters listed in clusters (${config.clusters.join(", ")})`,
            p.cluster,
          ),
        });
    });
  });

/** Options of `startLocalEcs`: every key optional; validated together (see {@link normalizeConfig}). */
export type LocalEcsConfig = z.input<typeof configSchema>;
/** {@link LocalEcsConfig} validated, with every default applied. */
export type NormalizedConfig = z.output<typeof configSchema>;
/** Which command runs a task whose container names a matching image. */
export type ImageMapping = z.output<typeof imageMappingSchema>;
/** An EC2 capacity provider the endpoint emulates, as passed in the config. */
export type CapacityProviderConfig = z.input<typeof capacityProviderSchema>;
/** A Managed Instances provider the endpoint has from the start, as passed in the config. */
export type ManagedProviderConfig = z.input<typeof managedProviderSchema>;
/** Instance requirements of a Managed Instances provider, validated. */
export type InstanceRequirements = z.output<typeof instanceRequirementsSchema>;
/** Faults to inject (throttling, placement failures, Spot interruptions, crashes). */
export type FaultConfig = z.output<typeof faultSchema>;

function check<S extends z.ZodType>(schema: S, input: unknown, root: string): z.output<S> {
  const checked = checkSchema(schema, input);
  if (!checked.ok)
    throw new LocalEcsConfigError(
      checked.problems.map((p) => `${p.path ? `${root}.${p.path}` : root}: ${p.message}`),
    );
  return checked.value;
}

/**
 * Validate (every problem at once) and apply defaults. The result is a fresh object: changing
 * the input afterwards changes nothing.
 *
 * @throws {@link LocalEcsConfigError} listing every problem, each named by its path.
 */
export function normalizeConfig(input: unknown = {}): NormalizedConfig {
  return structuredClone(check(configSchema, input ?? {}, "config"));
}

/** Validate a partial fault config (for `setFaults`). */
export function validateFaults(input: unknown): FaultConfig {
  return structuredClone(check(faultSchema, input, "faults"));
}
