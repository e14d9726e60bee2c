import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { S3TransferFailedError, s3ErrorName } from "./errors.js";
import { type S3Location, s3Uri } from "./uri.js";
import { landedMismatch, type PartDigest } from "./verify-landed.js";

/** An object this CLI put in S3, as S3 confirmed it. */
export interface UploadedObject {
  readonly uri: string;
  readonly bytes: number;
  /** SHA-256 of the bytes, hex. */
  readonly sha256: string;
  readonly etag: string | undefined;
  readonly versionId: string | undefined;
  /** 0 for a single PUT. */
  readonly parts: number;
  /** S3's own checksum of the object as HeadObject shows it, if the server keeps one. */
  readonly s3Checksum: string | undefined;
  readonly verifiedBy: "S3's SHA-256" | "S3's ETag";
}

/** A multipart upload left open because aborting it failed (no URL, no secret: S3's error name and message). */
export interface AbortFailure {
  readonly uri: string;
  readonly uploadId: string;
  readonly error: string;
}

/** S3's smallest part (but the last) and most parts. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** Parts in flight at once. */
const PARALLEL_PARTS = 4;
/** Tries per part (a stream body cannot be replayed by the SDK, so parts are retried here). */
const PART_TRIES = 3;

/**
 * Uploads a local file to one S3 object with S3's SHA-256 checksum: one PUT up to `partBytes`,
 * else a multipart upload of `partBytes` parts, four at a time, each carrying its own SHA-256 so S3
 * refuses a corrupted part. A failed multipart upload is aborted, so no part outlives the command.
 * The object is accepted only when HeadObject's checksum (or, on servers without additional
 * checksums, its ETag) matches the file.
 */
export async function uploadFile(input: {
  s3: S3Client;
  path: string;
  location: S3Location;
  /** @default 64 MiB (raised as needed to stay within S3's 10,000 parts) */
  partBytes?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Told when the abort of a failed multipart upload failed too (non-fatal: the upload's own error
   * is thrown): the upload is left open, for the bucket's lifecycle rule or a manual abort.
   */
  onAbortFailed?: (failure: AbortFailure) => void;
  signal?: AbortSignal;
}): Promise<UploadedObject> {
  const { s3, location, signal } = input;
  const bytes = (await stat(input.path)).size;
  const partBytes = Math.max(
    MIN_PART_BYTES,
    input.partBytes ?? 64 * 1024 * 1024,
    Math.ceil(bytes / MAX_PARTS),
  );
  const digests = await digestFile(
    input.path,
    bytes > partBytes ? partBytes : Number.POSITIVE_INFINITY,
    signal,
  );
  const sent = new Map<number, number>();
  const progress = (part: number, n: number) => {
    sent.set(part, n);
    let done = 0;
    for (const v of sent.values()) done += v;
    input.onProgress?.(done, bytes);
  };
  const fail = (message: string, cause?: unknown) =>
    new S3TransferFailedError(location, message, { cause, s3Code: s3ErrorName(cause) });
  let uploadId: string | undefined;
  try {
    let etag: string | undefined;
    let versionId: string | undefined;
    if (digests.parts.length <= 1) {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Body: counted(input.path, 0, bytes, (n) => progress(1, n)),
          ContentLength: bytes,
          ChecksumSHA256: digests.sha256.toString("base64"),
        }),
        { abortSignal: signal },
      );
      ({ ETag: etag, VersionId: versionId } = put);
    } else {
      const created = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: location.bucket,
          Key: location.key,
          ChecksumAlgorithm: "SHA256",
        }),
        { abortSignal: signal },
      );
      uploadId = created.UploadId;
      if (uploadId === undefined) throw fail("CreateMultipartUpload answered without an UploadId");
      const etags = await uploadParts(
        s3,
        location,
        uploadId,
        input.path,
        partBytes,
        digests.parts,
        progress,
        signal,
      );
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: location.bucket,
          Key: location.key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: etags.map((e, i) => ({
              PartNumber: i + 1,
              ETag: e,
              ChecksumSHA256: (digests.parts[i] as PartDigest).sha256.toString("base64"),
            })),
          },
        }),
        { abortSignal: signal },
      );
      uploadId = undefined;
      ({ ETag: etag, VersionId: versionId } = done);
    }
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ChecksumMode: "ENABLED",
        ...(versionId ? { VersionId: versionId } : {}),
      }),
      { abortSignal: signal },
    );
    const verdict = landedMismatch(head, bytes, digests);
    if ("mismatch" in verdict) throw fail(`the object S3 holds is not the file: ${verdict.mismatch}`);
    return {
      uri: s3Uri(location),
      bytes,
      sha256: digests.sha256.toString("hex"),
      etag: head.ETag ?? etag,
      versionId: head.VersionId ?? versionId,
      parts: digests.parts.length > 1 ? digests.parts.length : 0,
      s3Checksum: head.ChecksumSHA256,
      verifiedBy: verdict.by,
    };
  } catch (error) {
    if (uploadId !== undefined) {
      const aborting = uploadId;
      await s3
        .send(
          new AbortMultipartUploadCommand({ Bucket: location.bucket, Key: location.key, UploadId: aborting }),
          {
            abortSignal: AbortSignal.timeout(15_000),
          },
        )
        .catch((abortError: unknown) => {
          // NoSuchUpload: S3 holds nothing of it any more. Anything else leaves parts billed: say so.
          if (s3ErrorName(abortError) === "NoSuchUpload") return;
          input.onAbortFailed?.({
            uri: s3Uri(location),
            uploadId: aborting,
            error: errorText(abortError),
          });
        });
    }
    if (signal?.aborted) throw signal.reason;
    if (error instanceof S3TransferFailedError) throw error;
    throw fail(`upload failed (${s3ErrorName(error) ?? String(error)})`, error);
  }
}

/** An S3 error's name and message, clipped: safe to show (the request was header-signed, no URL). */
function errorText(error: unknown): string {
  const name = s3ErrorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const text = name !== undefined && name !== message ? `${name}: ${message}` : message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

async function uploadParts(
  s3: S3Client,
  location: S3Location,
  uploadId: string,
  path: string,
  partBytes: number,
  parts: readonly PartDigest[],
  progress: (part: number, n: number) => void,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const etags: string[] = new Array(parts.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  // A part that failed for good stops the others from taking more; every part in flight settles
  // before the caller aborts, so none lands in the upload after the abort.
  const worker = async () => {
    while (next < parts.length && failure === undefined) {
      const index = next++;
      const part = parts[index] as PartDigest;
      for (let attempt = 1; ; attempt += 1) {
        try {
          const out = await s3.send(
            new UploadPartCommand({
              Bucket: location.bucket,
              Key: location.key,
              UploadId: uploadId,
              PartNumber: index + 1,
              Body: counted(path, index * partBytes, part.bytes, (n) => progress(index + 1, n)),
              ContentLength: part.bytes,
              ChecksumSHA256: part.sha256.toString("base64"),
            }),
            { abortSignal: signal },
          );
          if (out.ETag === undefined) throw new Error(`UploadPart ${index + 1} answered without an ETag`);
          etags[index] = out.ETag;
          break;
        } catch (error) {
          progress(index + 1, 0);
          if (signal?.aborted || attempt >= PART_TRIES || failure !== undefined) {
            failure ??= { error };
            return;
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, parts.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return etags;
}

/** A read stream of `length` bytes from `start` that reports how many have gone out. */
function counted(path: string, start: number, length: number, onBytes: (n: number) => void) {
  let n = 0;
  const stream = createReadStream(
    path,
    length === 0 ? { start: 0, end: -1 } : { start, end: start + length - 1 },
  );
  return stream.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        n += chunk.length;
        onBytes(n);
        callback(null, chunk);
      },
    }),
  );
}

/** SHA-256 and MD5 of the whole file and of each `partBytes` part, in one read. */
async function digestFile(
  path: string,
  partBytes: number,
  signal: AbortSignal | undefined,
): Promise<{ sha256: Buffer; md5: Buffer; parts: PartDigest[] }> {
  const whole = createHash("sha256");
  const wholeMd5 = createHash("md5");
  const parts: PartDigest[] = [];
  let part = { sha256: createHash("sha256"), md5: createHash("md5"), bytes: 0 };
  const close = () => parts.push({ sha256: part.sha256.digest(), md5: part.md5.digest(), bytes: part.bytes });
  for await (const chunk of createReadStream(path, { signal }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    wholeMd5.update(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, partBytes - part.bytes);
      const slice = chunk.subarray(offset, offset + take);
      part.sha256.update(slice);
      part.md5.update(slice);
      part.bytes += take;
      offset += take;
      if (part.bytes === partBytes) {
        close();
        part = { sha256: createHash("sha256"), md5: createHash("md5"), bytes: 0 };
      }
    }
  }
  if (part.bytes > 0 || parts.length === 0) close();
  return { sha256: whole.digest(), md5: wholeMd5.digest(), parts };
}
