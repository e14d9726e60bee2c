import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { JobOutputInfo, UploadRequest } from "@ecs-fanout/protocol";
import { S3TransferError, WorkerError } from "../errors.js";
import type { WorkerClient } from "../worker/client.js";
import type { MultipartLedger } from "./multipart-ledger.js";
import { expiresInFor, type MultipartTarget, type Presigner } from "./presign.js";
import { type S3Location, s3Uri } from "./uri.js";
import { mismatchOf } from "./verify.js";

/** An output that landed in S3 and matched what the worker computed. */
export interface LandedOutput {
  readonly uri: string;
  readonly location: S3Location;
  readonly bytes: number;
  readonly sha256: string;
  readonly etag: string | undefined;
  readonly versionId: string | undefined;
  /** Parts of a multipart upload (0: one PUT). */
  readonly parts: number;
  readonly uploadMs: number;
  /** S3 requests the worker retried (5xx, SlowDown). */
  readonly retries: number;
}

/** Slowest upload an attempt waits for before the presigned URLs are given up (bytes/s). */
const MIN_UPLOAD_BYTES_PER_SECOND = 256 * 1024;

/**
 * Has the worker put a finished output in S3: presigns the PUT (or creates the multipart upload
 * and presigns each part) with the checksums the worker reported, asks the worker to upload,
 * completes a multipart upload with the orchestrator's own credentials, then accepts the object
 * only when S3's checksum matches the worker's. Anything that fails aborts the multipart upload,
 * so no part outlives the attempt (a retried attempt gets a fresh upload and fresh URLs).
 */
export async function putOutputInS3(input: {
  s3: S3Client;
  presigner: Presigner;
  client: WorkerClient;
  jobId: string;
  segmentId: string;
  output: JobOutputInfo;
  location: S3Location;
  deadlineMs: number;
  signal?: AbortSignal | undefined;
  /** The run's open multipart uploads: this one is noted there from creation until completed or aborted. */
  uploads: MultipartLedger;
}): Promise<LandedOutput> {
  const { s3, presigner, client, output, location, signal } = input;
  const uri = s3Uri(location);
  const context = { uri, segmentId: input.segmentId };
  const expiresIn = expiresInFor(input.deadlineMs);
  const waitMs = Math.max(60_000, Math.ceil((output.bytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000));
  let target: MultipartTarget | undefined;
  try {
    let request: UploadRequest;
    if (output.parts !== undefined) {
      target = await presigner.createMultipart(location, signal);
      input.uploads.opened(target, "output", input.segmentId);
      const partBytes = output.parts[0]?.bytes ?? 0;
      request = await presigner.parts(target, partBytes, output.parts, expiresIn);
    } else {
      request = { put: { url: await presigner.put(location, output, expiresIn) } };
    }
    const uploaded = await client.s3Upload(input.jobId, request, waitMs, signal);
    let etag = uploaded.etag;
    let versionId: string | undefined;
    if (target !== undefined) {
      if (uploaded.parts === undefined || uploaded.parts.length !== output.parts?.length)
        throw new S3TransferError(
          "S3_UPLOAD_INCOMPLETE",
          `${uri}: the worker reported ${uploaded.parts?.length ?? 0} of ${output.parts?.length} parts`,
          context,
        );
      ({ etag, versionId } = await presigner.complete(target, uploaded.parts, output.parts ?? [], signal));
      input.uploads.completed(target);
      target = undefined;
    }
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, ChecksumMode: "ENABLED" }),
      { abortSignal: signal },
    );
    const why = mismatchOf(head, output);
    if (why !== undefined)
      throw new S3TransferError(
        "S3_CHECKSUM_MISMATCH",
        `${uri} does not match the worker's output: ${why}`,
        context,
      );
    return {
      uri,
      location,
      bytes: output.bytes,
      sha256: output.sha256,
      etag: etag ?? head.ETag,
      versionId: versionId ?? head.VersionId,
      parts: output.parts?.length ?? 0,
      uploadMs: uploaded.ms,
      retries: uploaded.retries,
    };
  } catch (error) {
    // A failed abort is reported by the ledger and left open for the run's end (and a resume).
    if (target !== undefined) await input.uploads.abort(target);
    if (error instanceof S3TransferError || error instanceof WorkerError) throw error;
    if (signal?.aborted) throw signal.reason;
    const name = (error as { name?: string }).name;
    throw new S3TransferError(
      "S3_UPLOAD_FAILED",
      `${uri}: ${name ?? String(error)}`,
      { ...context, s3Code: name },
      error,
    );
  }
}
