import pRetry from "p-retry";
import { AwsCallError } from "../errors.js";
import type { Logger } from "../logger.js";
import { classifyAwsError, errorNameOf, isRetryableKind, requestIdOf } from "./classify.js";
import type { TokenBucket } from "./token-bucket.js";

/** Retry and rate settings shared by every AWS call of a run. */
export interface CallPolicy {
  readonly retries: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly logger: Logger;
}

/** Describes one AWS call for errors and logs. */
export interface CallContext {
  readonly operation: string;
  readonly bucket: TokenBucket;
  readonly cluster?: string | undefined;
  readonly taskArn?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The one place AWS calls are retried: each attempt takes a token from the bucket, throttling and
 * transient errors are retried with exponential backoff and jitter, everything else fails fast as
 * an AwsCallError carrying the AWS error name, request id, attempt and duration.
 */
export async function awsCall<T>(policy: CallPolicy, context: CallContext, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let attempt = 0;
  try {
    return await pRetry(
      async () => {
        attempt += 1;
        await context.bucket.take(context.signal);
        return await fn();
      },
      {
        retries: policy.retries,
        minTimeout: policy.minBackoffMs,
        maxTimeout: policy.maxBackoffMs,
        factor: 2,
        randomize: true,
        signal: context.signal,
        shouldRetry: ({ error }) => isRetryableKind(classifyAwsError(error)),
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          policy.logger.debug("aws call failed", {
            operation: context.operation,
            error: errorNameOf(error),
            attempt: attemptNumber,
            retriesLeft,
          });
        },
      },
    );
  } catch (error) {
    if (context.signal?.aborted && error === context.signal.reason) throw error;
    if (error instanceof AwsCallError) throw error;
    const kind = classifyAwsError(error);
    const message = error instanceof Error ? error.message : String(error);
    throw new AwsCallError(
      kind,
      {
        operation: context.operation,
        cluster: context.cluster,
        taskArn: context.taskArn,
        awsErrorName: errorNameOf(error),
        requestId: requestIdOf(error),
        attempt,
        durationMs: Math.round(performance.now() - started),
      },
      message,
      error,
    );
  }
}
