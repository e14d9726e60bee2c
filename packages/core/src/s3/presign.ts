import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { PartChecksum, UploadRequest } from "@ecs-fanout/protocol";
import type { S3Location } from "./uri.js";

/** Seconds a presigned URL outlives the attempt's deadline (clock skew, a request in flight). */
export const PRESIGN_SLACK_SECONDS = 60;
/** S3's longest presigned lifetime (SigV4: one week). */
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

/** The checksum header stays a signed header, never a query parameter: S3 then refuses other bytes. */
const SIGNED_CHECKSUM = { unhoistableHeaders: new Set(["x-amz-checksum-sha256"]) };

const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

/** Lifetime of an attempt's URLs: until its deadline, plus the slack, within S3's bounds. */
export function expiresInFor(deadlineMs: number, now = Date.now()): number {
  const seconds = Math.ceil((deadlineMs - now) / 1000) + PRESIGN_SLACK_SECONDS;
  return Math.max(1, Math.min(MAX_EXPIRES_SECONDS, seconds));
}

/** A multipart upload the orchestrator created for one attempt's output. */
export interface MultipartTarget {
  readonly location: S3Location;
  readonly uploadId: string;
}

/**
 * Presigns, with the orchestrator's credentials, exactly the S3 requests one attempt needs — and
 * makes the few it keeps for itself (CreateMultipartUpload, Complete; aborts go through the
 * run's MultipartLedger): a task never holds an S3 permission, and a URL lets its holder do one
 * thing to one object until shortly after the attempt's deadline. The URLs are secrets: callers
 * hand them to the worker over the pinned connection and never log them, emit them, or put them
 * in an error.
 */
export class Presigner {
  constructor(private readonly s3: S3Client) {}

  /**
   * The time URLs are signed at: the client's clock with the offset the SDK learnt from S3's
   * `Date` after a skew error (header-signed calls use it; the presigner on its own would not), so
   * an orchestrator whose clock is off does not hand out URLs that expire early or start late.
   */
  private signingDate(): Date {
    return new Date(Date.now() + (this.s3.config.systemClockOffset ?? 0));
  }

  /** GET of an input (a given version, when asked for). */
  get(location: S3Location & { versionId?: string | undefined }, expiresIn: number): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(location.versionId === undefined ? {} : { VersionId: location.versionId }),
      }),
      { expiresIn, signingDate: this.signingDate() },
    );
  }

  /** PUT of an output of `bytes` whose SHA-256 the worker reported: S3 stores nothing else. */
  put(location: S3Location, output: { bytes: number; sha256: string }, expiresIn: number): Promise<string> {
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ContentLength: output.bytes,
        ChecksumSHA256: b64(output.sha256),
      }),
      { expiresIn, signingDate: this.signingDate(), ...SIGNED_CHECKSUM },
    );
  }

  /** Starts a multipart upload with SHA-256 part checksums (composite). */
  async createMultipart(location: S3Location, signal?: AbortSignal): Promise<MultipartTarget> {
    const created = await this.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: location.bucket,
        Key: location.key,
        ChecksumAlgorithm: "SHA256",
      }),
      { abortSignal: signal },
    );
    if (created.UploadId === undefined) throw new Error("CreateMultipartUpload answered without an UploadId");
    return { location, uploadId: created.UploadId };
  }

  /** One UploadPart URL per part, each signed with its part's size and SHA-256. */
  async parts(
    target: MultipartTarget,
    partBytes: number,
    parts: readonly PartChecksum[],
    expiresIn: number,
  ): Promise<UploadRequest> {
    const urls = await Promise.all(
      parts.map((part, index) =>
        getSignedUrl(
          this.s3,
          new UploadPartCommand({
            Bucket: target.location.bucket,
            Key: target.location.key,
            UploadId: target.uploadId,
            PartNumber: index + 1,
            ContentLength: part.bytes,
            ChecksumSHA256: b64(part.sha256),
          }),
          { expiresIn, signingDate: this.signingDate(), ...SIGNED_CHECKSUM },
        ),
      ),
    );
    return { multipart: { partBytes, parts: urls.map((url, index) => ({ number: index + 1, url })) } };
  }

  /** Completes a multipart upload with the parts' ETags (as the worker got them) and checksums. */
  async complete(
    target: MultipartTarget,
    etags: ReadonlyArray<{ number: number; etag: string }>,
    parts: readonly PartChecksum[],
    signal?: AbortSignal,
  ): Promise<{ etag: string | undefined; versionId: string | undefined }> {
    const done = await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.location.bucket,
        Key: target.location.key,
        UploadId: target.uploadId,
        MultipartUpload: {
          Parts: etags.map((part) => ({
            PartNumber: part.number,
            ETag: part.etag,
            ChecksumSHA256: b64((parts[part.number - 1] as PartChecksum).sha256),
          })),
        },
      }),
      { abortSignal: signal },
    );
    return { etag: done.ETag, versionId: done.VersionId };
  }
}
