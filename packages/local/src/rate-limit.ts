/**
 * The token buckets AWS documents for ECS (per account and region): a call or task launch
 * takes tokens; a bucket refills at its sustained rate up to its burst size.
 */
interface Bucket {
  burst: number;
  perSecond: number;
  tokens: number;
  at: number;
}

const MODIFY = new Set([
  "RunTask",
  "StopTask",
  "CreateCluster",
  "RegisterTaskDefinition",
  "DeregisterTaskDefinition",
  "TagResource",
  "UntagResource",
]);
const READ = new Set([
  "DescribeTasks",
  "ListTasks",
  "DescribeContainerInstances",
  "DescribeClusters",
  "DescribeTaskDefinition",
  "DescribeCapacityProviders",
  "ListTagsForResource",
]);

export interface RunTaskDemand {
  fargateCall: boolean;
  onDemandLaunches: number;
  spotLaunches: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.define("cluster-modify", 100, 40);
    this.define("cluster-read", 100, 20);
    this.define("fargate-runtask", 100, 20);
    this.define("fargate-launch-ondemand", 100, 20);
    this.define("fargate-launch-spot", 100, 20);
  }

  private define(name: string, burst: number, perSecond: number): void {
    this.buckets.set(name, { burst, perSecond, tokens: burst, at: this.now() });
  }

  private refill(name: string): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw new Error(`no bucket ${name}`);
    const now = this.now();
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.at) / 1000) * b.perSecond);
    b.at = now;
    return b;
  }

  /** Take every token a call needs, or none of them; false means throttle the call. */
  private takeAll(demands: Array<[string, number]>): boolean {
    const needed = demands.filter(([, n]) => n > 0);
    if (!needed.every(([name, n]) => this.refill(name).tokens >= n)) return false;
    for (const [name, n] of needed) this.refill(name).tokens -= n;
    return true;
  }

  /** The per-action bucket (checked before the call is handled). */
  allowCall(action: string): boolean {
    if (!this.enabled) return true;
    if (MODIFY.has(action)) return this.takeAll([["cluster-modify", 1]]);
    if (READ.has(action)) return this.takeAll([["cluster-read", 1]]);
    return true;
  }

  /** The Fargate RunTask and task-launch buckets (checked once the launch type is known). */
  allowRunTask(demand: RunTaskDemand): boolean {
    if (!this.enabled) return true;
    return this.takeAll([
      ["fargate-runtask", demand.fargateCall ? 1 : 0],
      ["fargate-launch-ondemand", demand.onDemandLaunches],
      ["fargate-launch-spot", demand.spotLaunches],
    ]);
  }
}
