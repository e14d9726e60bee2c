import { resolveClients } from "../aws/clients.js";
import type { AwsContext } from "../aws/context.js";
import { createBuckets } from "../aws/token-bucket.js";
import type { Logger } from "../logger.js";
import type { ManageOptions } from "../options/manage.js";

/** An AWS context for a one-off listing or cleanup (parsed options); `close()` destroys the clients it created. */
export function manageContext(
  options: Pick<ManageOptions, "clients" | "aws" | "apiRate" | "retry" | "cluster" | "signal" | "logger">,
): AwsContext & { close(): void; logger: Logger } {
  const clients = resolveClients(options.clients, options.aws);
  return {
    clients,
    buckets: createBuckets(options.apiRate),
    policy: {
      retries: options.retry.awsRetries,
      minBackoffMs: options.retry.minBackoffMs,
      maxBackoffMs: options.retry.maxBackoffMs,
      logger: options.logger,
    },
    cluster: options.cluster,
    signal: options.signal,
    logger: options.logger,
    close: () => clients.destroy(),
  };
}
