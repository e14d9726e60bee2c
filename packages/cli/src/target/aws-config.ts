import { existsSync } from "node:fs";
import { join } from "node:path";

/** Environment variables any of which means "the user has pointed the SDK at AWS (or an endpoint)". */
const AWS_ENV = [
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_ECS",
  "AWS_PROFILE",
  "AWS_ACCESS_KEY_ID",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
] as const;

/** Whether AWS is configured, and by what. */
export interface AwsConfigEvidence {
  configured: boolean;
  /** What was found, for the one-line notice ("AWS_PROFILE", "~/.aws/config"). */
  source?: string;
}

/**
 * Whether AWS is configured at all: any of the SDK's environment variables, or a shared
 * config/credentials file. Without any, the commands fall back to the in-process local endpoint
 * rather than failing deep inside the SDK's credential chain.
 */
export function detectAwsConfig(env: NodeJS.ProcessEnv, home: string): AwsConfigEvidence {
  for (const name of AWS_ENV) {
    if (env[name]) return { configured: true, source: name };
  }
  const files = [
    env["AWS_CONFIG_FILE"] ?? (home ? join(home, ".aws", "config") : ""),
    env["AWS_SHARED_CREDENTIALS_FILE"] ?? (home ? join(home, ".aws", "credentials") : ""),
  ];
  for (const file of files) {
    if (file && existsSync(file)) return { configured: true, source: file };
  }
  return { configured: false };
}
