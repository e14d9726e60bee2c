import { CliError, ExitCode } from "../errors.js";
import { type S3Location, s3Uri } from "./uri.js";

/**
 * A transfer to or from S3 that failed after the run's checks passed: a cut connection after every
 * resume, a changed object, a checksum S3 does not agree with. Carries the URI (never a signed
 * URL), the S3 error name when there is one, and the cause.
 */
export class S3TransferFailedError extends CliError {
  override name = "S3TransferFailedError";
  readonly uri: string;
  readonly s3Code: string | undefined;

  constructor(location: S3Location, message: string, options?: { cause?: unknown; s3Code?: string }) {
    super("S3_TRANSFER_FAILED", `${s3Uri(location)}: ${message}`, ExitCode.failure, options);
    this.uri = s3Uri(location);
    this.s3Code = options?.s3Code;
  }
}

/** The SDK's name for an S3 failure (`NoSuchKey`, `AccessDenied`, `CredentialsProviderError` …). */
export function s3ErrorName(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === "string" ? name : undefined;
}
