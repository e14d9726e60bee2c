import type { CallPolicy } from "./call.js";
import type { ResolvedClients } from "./clients.js";
import type { ApiBuckets } from "./token-bucket.js";

/** What every ECS/EC2/Logs operation needs: clients, rate buckets, retry policy, cluster and signal. */
export interface AwsContext {
  readonly clients: ResolvedClients;
  readonly buckets: ApiBuckets;
  readonly policy: CallPolicy;
  readonly cluster: string;
  readonly signal?: AbortSignal | undefined;
}
