import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { awsConfigFromEnv } from "../target/aws.js";

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The S3 client for `s3://` arguments, from the command's environment: region (`--region`,
 * `AWS_REGION`, `AWS_DEFAULT_REGION`), credentials (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`,
 * else the SDK's default chain: profile, SSO, container or instance role) and endpoint
 * (`AWS_ENDPOINT_URL_S3`, e.g. the local S3 `ecs-fanout local` prints; path-style, which such
 * servers need). Never the ECS endpoint: against the local ECS endpoint S3 lives elsewhere, so
 * the S3 client never takes the CLI's `AWS_ENDPOINT_URL` for its own. Checksums are sent and
 * checked only where this code asks for them.
 */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv, region?: string): S3Client {
  const aws = awsConfigFromEnv(env, region);
  const endpoint = env["AWS_ENDPOINT_URL_S3"];
  const config: S3ClientConfig = {
    // S3 needs some region to sign with; us-east-1 is what a bucket-less local S3 expects.
    region: aws.region ?? (endpoint ? "us-east-1" : undefined),
    ...(aws.credentials === undefined ? {} : { credentials: aws.credentials }),
    // Without AWS_ENDPOINT_URL_S3, S3 itself: not the all-services AWS_ENDPOINT_URL (the ECS one here).
    ...(endpoint ? { endpoint, forcePathStyle: true } : { ignoreConfiguredEndpointUrls: true }),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 4,
    // The SDK would warn on the console (under the progress bars) when a streamed body fails;
    // the CLI reports that failure itself.
    logger: QUIET,
  };
  return new S3Client(config);
}
