import { ECSClient } from "@aws-sdk/client-ecs";
import type { AwsConfig } from "ecs-fanout";
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

/**
 * Client settings read from the command's environment. The SDK would read `process.env` by
 * itself; reading `io.env` instead keeps `main(argv, io)` honest when a caller passes its own
 * environment (the demo, tests). Unset values fall through to the SDK's default chain.
 */
export function awsConfigFromEnv(env: NodeJS.ProcessEnv, region?: string): AwsConfig {
  const config: { region?: string; endpoint?: string; credentials?: AwsConfig["credentials"] } = {};
  const chosen = region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"];
  if (chosen) config.region = chosen;
  // Only the all-services override: a per-service one (AWS_ENDPOINT_URL_ECS) is left to the SDK.
  if (env["AWS_ENDPOINT_URL"]) config.endpoint = env["AWS_ENDPOINT_URL"];
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  if (accessKeyId && secretAccessKey) {
    config.credentials = { accessKeyId, secretAccessKey, sessionToken: env["AWS_SESSION_TOKEN"] };
  }
  return config;
}

/** AWS as the SDK's default chain configures it (profile, env, AWS_ENDPOINT_URL …). */
export function openAwsTarget(options: {
  region?: string;
  source: string;
  env: NodeJS.ProcessEnv;
}): AwsTarget {
  const aws = awsConfigFromEnv(options.env, options.region);
  const ecs = new ECSClient(aws);
  const endpoint = options.env["AWS_ENDPOINT_URL_ECS"] ?? options.env["AWS_ENDPOINT_URL"];
  const where = endpoint ? `the ECS endpoint ${endpoint}` : "AWS";
  return {
    kind: "aws",
    notice: `using ${where} (configured by ${options.source}${aws.region ? `, region ${aws.region}` : ""})`,
    loopback: isLoopback(endpoint),
    aws,
    clients: { ecs },
    async close() {
      ecs.destroy();
    },
  };
}
