import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { AwsConfig } from "../options/common.js";

/**
 * The S3 client of a run: the caller's, or one made from the run's AWS configuration. A custom
 * endpoint (a local S3, `AWS_ENDPOINT_URL_S3`) gets path-style addressing, which such servers
 * need. Checksums are computed only when S3 requires them: presigned requests then carry exactly
 * the checksum they were signed with, and nothing else.
 */
export function makeS3Client(
  aws: AwsConfig | undefined,
  options: { endpoint?: string | undefined } = {},
  env: NodeJS.ProcessEnv = process.env,
): S3Client {
  // Not aws.endpoint: that one is ECS's (a local ECS endpoint serves no S3).
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3;
  const config: S3ClientConfig = {
    ...(aws?.region === undefined ? {} : { region: aws.region }),
    ...(aws?.credentials === undefined ? {} : { credentials: aws.credentials }),
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  return new S3Client(config);
}
