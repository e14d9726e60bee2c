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
  });

/** Options of `startLocalEcs`: every key optional; validated together (see {@link normalizeConfig}). */
export type LocalEcsConfig = z.input<typeof configSchema>;
/** {@link LocalEcsConfig} validated, with every default applied. */
export type NormalizedConfig = z.output<typeof configSchema>;
/** Which command runs a task whose container names a matching image. */
export type ImageMapping = z.output<typeof imageMappingSchema>;
/** An EC2 capacity provider the endpoint emulates, as passed in the config. */
export type CapacityProviderConfig = z.input<typeof capacityProviderSchema>;
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
