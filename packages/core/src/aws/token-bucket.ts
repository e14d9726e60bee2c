import type { ApiRate } from "../options/limits.js";
import { sleep } from "../util/abort.js";

/**
 * A client-side token bucket. AWS meters API calls per account and region with token buckets;
 * metering ourselves well below them keeps a run from starving other users of the same account.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }

  /** Milliseconds until a token would be available (0 when one is). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Takes one token, waiting (abortably, first come first served) until one is available. */
  take(signal?: AbortSignal): Promise<void> {
    const next = this.queue.then(async () => {
      for (;;) {
        const wait = this.waitMs();
        if (wait === 0) break;
        await sleep(wait, signal);
      }
      this.tokens -= 1;
    });
    // A waiter that aborts must not block the ones behind it.
    this.queue = next.catch(() => {});
    return next;
  }
}

/** The buckets a run or a listing shares. */
export interface ApiBuckets {
  /** RunTask, StopTask. */
  readonly modify: TokenBucket;
  /** DescribeTasks, ListTasks, DescribeContainerInstances, DescribeTaskDefinition. */
  readonly read: TokenBucket;
  /** EC2 and CloudWatch Logs. */
  readonly other: TokenBucket;
}

/** Creates buckets from rates (parsed options: the defaults live in the `apiRate` schema). */
export function createBuckets(rate: ApiRate): ApiBuckets {
  return {
    modify: new TokenBucket(rate.modifyPerSecond, rate.modifyBurst),
    read: new TokenBucket(rate.readPerSecond, rate.readBurst),
    other: new TokenBucket(rate.otherPerSecond, rate.otherBurst),
  };
}
