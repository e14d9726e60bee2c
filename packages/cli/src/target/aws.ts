import { ECSClient } from "@aws-sdk/client-ecs";
import type { Target } from "./target.js";

export interface AwsTarget extends Target {
  readonly kind: "aws";
  /** The SDK is pointed at a loopback endpoint (e.g. `ecs-fanout local`): no AWS rate limits to respect. */
  readonly loopback: boolean;
}

function isLoopback(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host.startsWith("127.") || host === "[::1]";
  } catch {
    return false;
  }
}

/** AWS as the SDK's default chain configures it (profile, env, AWS_ENDPOINT_URL …). */
export function openAwsTarget(options: {
  region?: string;
  source: string;
  env: NodeJS.ProcessEnv;
}): AwsTarget {
  const ecs = new ECSClient(options.region ? { region: options.region } : {});
  const endpoint = options.env["AWS_ENDPOINT_URL_ECS"] ?? options.env["AWS_ENDPOINT_URL"];
  const where = endpoint ? `the ECS endpoint ${endpoint}` : "AWS";
  return {
    kind: "aws",
    notice: `using ${where} (configured by ${options.source}${options.region ? `, region ${options.region}` : ""})`,
    loopback: isLoopback(endpoint),
    aws: options.region ? { region: options.region } : {},
    clients: { ecs },
    async close() {
      ecs.destroy();
    },
  };
}
