import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ECSClient, ECSClientConfig } from "@aws-sdk/client-ecs";
import type { S3Client } from "@aws-sdk/client-s3";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { type Logger, quietLogger } from "../logger.js";
import { isValidStartedBy } from "../tags.js";

/** An integer from `min` (to `max`). */
export function int(min: number, max?: number): z.ZodNumber {
  const atLeast = z.number().int().min(min);
  return max === undefined ? atLeast : atLeast.max(max);
}

export const nonEmptyString = (): z.ZodString => z.string().min(1);

/**
 * For cross-field refinements: run them even when another field already failed (zod skips them
 * after an aborting issue), so every problem is reported together. They read the value defensively.
 */
export const evenWhenInvalid = { when: () => true } as const;

/** `schema` narrowed by `test`; a value that fails reads "expected <expected>, got <value>". */
export function satisfying<S extends z.ZodType>(
  schema: S,
  test: (value: z.output<S>) => boolean,
  expected: string,
): S {
  return schema.refine(test, { error: (issue) => expectedGot(expected, issue.input) }).describe(expected);
}

/** A value `test` accepts (functions, SDK clients, …); anything else reads "expected <expected>, got …". */
export function custom<T>(test: (value: unknown) => boolean, expected: string): z.ZodCustom<T, T> {
  return z.custom<T>(test, { error: (issue) => expectedGot(expected, issue.input) }).describe(expected);
}

/** Whether `value` is an http(s) URL. */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export const httpUrl = (): z.ZodString => satisfying(z.string(), isHttpUrl, "an http(s) URL");

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const signalSchema = custom<AbortSignal>((v) => v instanceof AbortSignal, "an AbortSignal");

export const loggerSchema = custom<Logger>(
  (v) => isRecord(v) && ["debug", "info", "warn", "error"].every((k) => typeof v[k] === "function"),
  "an object with debug, info, warn and error functions",
);

/** A logger, quiet unless one is given. */
export const quietByDefault = () => loggerSchema.default(quietLogger);

/** What RunTask accepts as `startedBy`; listTasks and cleanupStaleTasks find tasks by it. */
export const startedBySchema = satisfying(
  z.string(),
  isValidStartedBy,
  "1 to 128 letters, digits, '-', '/' or '_'",
);

const sendsCommands = (v: unknown): boolean => isRecord(v) && typeof v.send === "function";
// Structural checks, not instanceof: a caller's SDK copy may be another version than ours.
const clientSchema = <C>(name: string) =>
  custom<C>(sendsCommands, `an AWS SDK ${name} (an object with send)`);

/** Pre-built AWS SDK clients. Any client not given is created from `aws`. */
export const clientsSchema = z.strictObject({
  ecs: clientSchema<ECSClient>("ECSClient").optional(),
  ec2: clientSchema<EC2Client>("EC2Client").optional(),
  logs: clientSchema<CloudWatchLogsClient>("CloudWatchLogsClient").optional(),
  /** For S3 inputs, outputs and staging. @default made from `aws` (and `AWS_ENDPOINT_URL_S3`) */
  s3: clientSchema<S3Client>("S3Client").optional(),
});

/** Static credentials or a credential provider, as the AWS SDK takes them. */
export type AwsCredentials = NonNullable<ECSClientConfig["credentials"]>;

const credentialsSchema = custom<AwsCredentials>(
  (v) =>
    typeof v === "function" ||
    (isRecord(v) && typeof v.accessKeyId === "string" && typeof v.secretAccessKey === "string"),
  "{ accessKeyId, secretAccessKey, sessionToken? } or a credential provider function",
);

/** How to create AWS clients when `clients` are not given. Unset fields use the SDK's default chain. */
export const awsConfigSchema = z.strictObject({
  /** @default the SDK's region chain (AWS_REGION, profile) */
  region: nonEmptyString().optional(),
  /** Custom endpoint (e.g. the local ECS endpoint's). @default AWS's endpoint */
  endpoint: httpUrl().optional(),
  /** @default the SDK's default credential provider chain */
  credentials: credentialsSchema.optional(),
});

/** Pre-built AWS SDK clients. */
export type AwsClients = z.output<typeof clientsSchema>;
/** How to create AWS clients: region, endpoint, credentials. */
export type AwsConfig = z.output<typeof awsConfigSchema>;
