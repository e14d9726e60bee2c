import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Problem } from "@ecs-fanout/protocol";
import type { ObjectFacts } from "./download.js";
import { s3ErrorName } from "./errors.js";
import { type S3Location, s3Uri } from "./uri.js";

/**
 * Answers to a one-byte read of a key that still leave it writable: no object there yet, a read
 * the credentials may not do (s3:PutObject without s3:GetObject), an empty object.
 */
const WRITABLE_ANYWAY = new Set(["NoSuchKey", "AccessDenied", "InvalidRange"]);

/** One line for an S3 refusal: its name, what it usually means, and what to do. */
export function explainS3Error(error: unknown): string {
  const name = s3ErrorName(error) ?? "Error";
  if (name === "CredentialsProviderError")
    return "no AWS credentials for S3 (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)";
  if (name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch")
    return `S3 refused the credentials (${name}); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and AWS_ENDPOINT_URL_S3`;
  if (name === "ExpiredToken" || name === "InvalidToken" || name === "TokenRefreshRequired")
    return `S3 refused the session token (${name}); refresh the credentials`;
  if (name === "NoSuchBucket") return "no such bucket (NoSuchBucket)";
  if (name === "NoSuchKey" || name === "NotFound") return "no such object (NoSuchKey)";
  if (name === "AccessDenied" || name === "Forbidden")
    return "access denied (AccessDenied); the credentials need s3:GetObject here";
  const message = error instanceof Error ? error.message.split("\n")[0] : "";
  return `${name}${message && message !== name && message !== "UnknownError" ? `: ${message}` : ""}`;
}

/** A ranged GetObject of one byte: unlike HeadObject (a bare 404), its error names a missing bucket. */
async function probeObject(s3: S3Client, location: S3Location, signal?: AbortSignal): Promise<unknown> {
  try {
    const got = await s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: "bytes=0-0" }),
      { abortSignal: signal },
    );
    (got.Body as { destroy?: () => void } | undefined)?.destroy?.();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * The input object as HeadObject describes it (size, ETag, version, S3's SHA-256), or why it
 * cannot be read: each refusal is a problem named by its flag, found before anything launches.
 */
export async function checkInputObject(
  s3: S3Client,
  location: S3Location,
  flag: string,
  signal?: AbortSignal,
): Promise<{ facts: ObjectFacts } | { problem: Problem }> {
  const uri = s3Uri(location);
  try {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, ChecksumMode: "ENABLED" }),
      { abortSignal: signal },
    );
    const full = head.ChecksumSHA256 !== undefined && !/-\d+$/.test(head.ChecksumSHA256);
    const sse = head.ServerSideEncryption;
    return {
      facts: {
        bytes: head.ContentLength ?? 0,
        etag: head.ETag,
        versionId: head.VersionId,
        sha256Base64: full && head.ChecksumType !== "COMPOSITE" ? head.ChecksumSHA256 : undefined,
        etagIsMd5: !(sse === "aws:kms" || sse === "aws:kms:dsse" || head.SSECustomerAlgorithm),
      },
    };
  } catch (error) {
    // HeadObject's errors have no body (a bare 404 or 403): ask once more with a GET, whose
    // error names the cause (NoSuchBucket or NoSuchKey, AccessDenied or SignatureDoesNotMatch).
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const bare = status === 403 || status === 404 || s3ErrorName(error) === "NotFound";
    const why = bare ? ((await probeObject(s3, location, signal)) ?? error) : error;
    return {
      problem: {
        path: flag,
        message: `expected an S3 object you can read, got ${uri}: ${explainS3Error(why)}`,
      },
    };
  }
}

/**
 * Whether an output object or a prefix can plausibly be written: the bucket exists and the
 * credentials work. A missing key is the normal case, and a refused read says nothing about writing,
 * so those pass; a missing bucket, bad credentials, a wrong region or no answer at all do not.
 */
export async function checkWritable(
  s3: S3Client,
  location: S3Location,
  flag: string,
  signal?: AbortSignal,
): Promise<Problem | undefined> {
  const probeAt =
    location.key === "" || location.key.endsWith("/")
      ? { ...location, key: `${location.key}.ecs-fanout-probe` }
      : location;
  const error = await probeObject(s3, probeAt, signal);
  const name = s3ErrorName(error);
  if (error === undefined || name === undefined) return undefined;
  if (!WRITABLE_ANYWAY.has(name))
    return {
      path: flag,
      message: `expected a location in an S3 bucket you can write to, got ${s3Uri(location)}: ${explainS3Error(error)}`,
    };
  return undefined;
}
