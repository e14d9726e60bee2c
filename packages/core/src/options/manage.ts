import { z } from "zod";
import { DEFAULT_STARTED_BY } from "../tags.js";
import {
  awsConfigSchema,
  clientsSchema,
  nonEmptyString,
  quietByDefault,
  signalSchema,
  startedBySchema,
} from "./common.js";
import { apiRateSchema, awsRetrySchema } from "./limits.js";

/** Options shared by listTasks and cleanupStaleTasks. */
const manageShape = {
  /** ECS cluster name or ARN. */
  cluster: nonEmptyString(),
  /** Only tasks of this run (tag `ecs-fanout:run-id`). @default every run */
  runId: nonEmptyString().optional(),
  /** The `startedBy` the tasks were launched with. @default "ecs-fanout" */
  startedBy: startedBySchema.default(DEFAULT_STARTED_BY),
  /** Pre-built AWS clients; missing ones are created from `aws`, else from the ECS client's config. @default {} */
  clients: clientsSchema.prefault({}),
  /** How to create the AWS clients (region, endpoint, credentials). @default the SDK's default chains */
  aws: awsConfigSchema.optional(),
  signal: signalSchema.optional(),
  /** @default quiet */
  logger: quietByDefault(),
  /** @default the run's defaults (2 reads/s, 4 stops/s) */
  apiRate: apiRateSchema.prefault({}),
  /** Retries of throttled or transient AWS calls. @default the run's defaults (8, backoff 1 s to 30 s) */
  retry: awsRetrySchema.prefault({}),
};

/** Options of findGpuCapacityProvider: the cluster and how to reach it. */
export const findGpuProviderOptionsSchema = z.strictObject({
  cluster: manageShape.cluster,
  clients: manageShape.clients,
  aws: manageShape.aws,
  signal: manageShape.signal,
  logger: manageShape.logger,
  apiRate: manageShape.apiRate,
  retry: manageShape.retry,
});

/** Options of findGpuCapacityProvider, as given. */
export type FindGpuProviderOptions = z.input<typeof findGpuProviderOptionsSchema>;

/** Options of listTasks. */
export const listTasksOptionsSchema = z.strictObject({
  ...manageShape,
  /** Also list tasks with our startedBy but without our managed-by tag. @default false */
  includeUnmanaged: z.boolean().default(false),
  /** Look up public IPs (one batched DescribeNetworkInterfaces). @default true */
  resolveAddresses: z.boolean().default(true),
});

/** Options of cleanupStaleTasks. */
export const cleanupOptionsSchema = z.strictObject({
  ...manageShape,
  /** Only tasks created at least this long ago. @default 0 (any age) */
  olderThanSeconds: z.number().min(0).default(0),
  /** Report what would be stopped, stop nothing. @default false */
  dryRun: z.boolean().default(false),
  /** StopTask reason. @default "ecs-fanout cleanup of stale tasks" */
  reason: nonEmptyString().max(255).default("ecs-fanout cleanup of stale tasks"),
});

/** Options of listTasks, as given. */
export type ListTasksOptions = z.input<typeof listTasksOptionsSchema>;
/** Options of cleanupStaleTasks, as given. */
export type CleanupOptions = z.input<typeof cleanupOptionsSchema>;
/** What listing and cleanup share, parsed. */
export type ManageOptions = Pick<z.output<typeof listTasksOptionsSchema>, keyof typeof manageShape>;
