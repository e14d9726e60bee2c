import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import type { AwsClients, AwsConfig } from "../options/common.js";

/** The three clients a run uses. */
export interface ResolvedClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly logs: CloudWatchLogsClient;
  /** Destroys the clients this function created (never the caller's own). */
  destroy(): void;
}

/**
 * Uses the caller's clients where given and creates the rest from `aws` (region, endpoint,
 * credentials; unset → the SDK's default chains). Clients we create make one attempt per call:
 * retrying is done once, in awsCall, so retries never multiply.
 */
export function resolveClients(clients: AwsClients = {}, aws?: AwsConfig): ResolvedClients {
  const from = aws ?? (clients.ecs === undefined ? {} : configOf(clients.ecs));
  const config = {
    ...(from.region === undefined ? {} : { region: from.region }),
    ...(from.endpoint === undefined ? {} : { endpoint: from.endpoint }),
    ...(from.credentials === undefined ? {} : { credentials: from.credentials }),
    maxAttempts: 1,
  };
  const created: { destroy(): void }[] = [];
  const make = <C extends { destroy(): void }>(given: C | undefined, create: () => C): C => {
    if (given !== undefined) return given;
    const client = create();
    created.push(client);
    return client;
  };
  return {
    ecs: make(clients.ecs, () => new ECSClient(config)),
    ec2: make(clients.ec2, () => new EC2Client(config)),
    logs: make(clients.logs, () => new CloudWatchLogsClient(config)),
    destroy: () => {
      for (const client of created) client.destroy();
    },
  };
}

/**
 * Region, credentials and (custom) endpoint of a caller's ECS client, so the EC2 and Logs clients
 * we add talk to the same place: `clients: { ecs }` alone must not send EC2 calls to real AWS
 * while ECS calls go to a local endpoint.
 */
function configOf(ecs: ECSClient): {
  region?: ECSClientConfig["region"];
  endpoint?: ECSClientConfig["endpoint"];
  credentials?: ECSClientConfig["credentials"];
} {
  const c = ecs.config;
  return {
    region: c.region,
    credentials: c.credentials,
    ...(c.isCustomEndpoint && c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
  };
}

/** The region the ECS client talks to (resolves the SDK's region provider). */
export async function clientRegion(ecs: ECSClient): Promise<string | undefined> {
  try {
    const region = ecs.config.region;
    return typeof region === "function" ? await region() : region;
  } catch {
    // No region configured anywhere: pricing then falls back to the `pricing.region` option only.
    return undefined;
  }
}
