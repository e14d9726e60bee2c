import { mergedAwsConfig, resolveClients } from "../aws/clients.js";
import type { AwsContext } from "../aws/context.js";
import { createBuckets } from "../aws/token-bucket.js";
import { type Logger, quietLogger } from "../logger.js";
import type { ApiRateOptions, AwsClients, AwsConfig } from "../options.js";
import { isValidStartedBy } from "../tags.js";
import { Problems } from "../util/problems.js";

/** Options shared by listTasks and cleanupStaleTasks. */
export interface ManageOptions {
  /** ECS cluster name or ARN. */
  readonly cluster: string;
  /** Only tasks of this run (tag `ecs-fanout:run-id`). @default every run */
  readonly runId?: string;
  /** The `startedBy` the tasks were launched with. @default "ecs-fanout" */
  readonly startedBy?: string;
  /** Pre-built AWS clients; missing ones are created from `aws`, else from the ECS client's config. */
  readonly clients?: AwsClients;
  /** How to create the AWS clients (region, endpoint, credentials). @default the SDK's default chains */
  readonly aws?: AwsConfig;
  /** Same as `aws` (e.g. `clientConfig: localEcs.clientConfig`); `aws` wins where both set a field. */
  readonly clientConfig?: AwsConfig;
  /** Shorthand for `aws.region`. */
  readonly region?: string;
  /** Shorthand for `aws.endpoint`. */
  readonly endpoint?: string;
  /** Shorthand for `aws.credentials`. */
  readonly credentials?: AwsConfig["credentials"];
  readonly signal?: AbortSignal;
  /** @default quiet */
  readonly logger?: Logger;
  /** @default the run defaults (2 reads/s, 4 stops/s) */
  readonly apiRate?: ApiRateOptions;
}

/** Problems common to list and cleanup options. */
export function manageProblems(options: ManageOptions): Problems {
  const p = new Problems();
  if (typeof options !== "object" || options === null) {
    p.add("options", "an object", options);
    return p;
  }
  p.nonEmptyString(options.cluster, "cluster");
  if (options.runId !== undefined) p.nonEmptyString(options.runId, "runId");
  if (options.startedBy !== undefined) {
    p.check(
      typeof options.startedBy === "string" && isValidStartedBy(options.startedBy),
      "startedBy",
      "1–128 letters, digits, '-', '/' or '_'",
      options.startedBy,
    );
  }
  if (options.signal !== undefined)
    p.check(options.signal instanceof AbortSignal, "signal", "an AbortSignal", options.signal);
  return p;
}

/** An AWS context for a one-off listing or cleanup; `close()` destroys the clients it created. */
export function manageContext(options: ManageOptions): AwsContext & { close(): void; logger: Logger } {
  const clients = resolveClients(options.clients, mergedAwsConfig(options));
  const logger = options.logger ?? quietLogger;
  return {
    clients,
    buckets: createBuckets(options.apiRate),
    policy: { retries: 8, minBackoffMs: 1000, maxBackoffMs: 30_000, logger },
    cluster: options.cluster,
    signal: options.signal,
    logger,
    close: () => clients.destroy(),
  };
}
