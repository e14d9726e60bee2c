import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { S3TransferFailedError, s3ErrorName } from "./errors.js";
import type { S3Location } from "./uri.js";

/** File write buffer: network chunks (16 KiB TLS records) queue and go out as one writev. */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

/** What HeadObject said about the object, before a byte is fetched. */
export interface ObjectFacts {
  readonly bytes: number;
  readonly etag: string | undefined;
  readonly versionId: string | undefined;
  /** S3's SHA-256 of the whole object (base64), when it keeps one; a composite `…-N` is not one. */
  readonly sha256Base64: string | undefined;
  /** False for SSE-KMS and SSE-C objects, whose ETag is no MD5 of the bytes. */
  readonly etagIsMd5: boolean;
}

/** A downloaded, verified object. */
export interface Downloaded {
  readonly bytes: number;
  readonly sha256: string;
  /** What the bytes were checked against besides their count. */
  readonly verifiedBy: "S3's SHA-256" | "S3's ETag (MD5)" | "size and ETag precondition";
  readonly resumed: number;
}

/** Times a cut body is resumed with Range before the download fails. */
const RESUMES = 3;
/** A body that sends nothing for this long is cut (and resumed). */
const IDLE_MS = 60_000;

/**
 * Streams an object to `path` through a temporary file, hashing as it writes (one chunk in memory at
 * a time). Bounded: never more than HeadObject's size, and a body idle for a minute is cut. Pinned:
 * every request names the version HeadObject saw, or carries `If-Match` with its ETag, so an object
 * replaced mid-download fails instead of mixing two objects. A cut body resumes with `Range`. The
 * file is renamed into place only once its size and S3's digest (SHA-256, else a single-part ETag)
 * agree; the temp file never outlives a failure.
 */
export async function downloadObject(input: {
  s3: S3Client;
  location: S3Location;
  facts: ObjectFacts;
  path: string;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}): Promise<Downloaded> {
  const { s3, location, facts, signal } = input;
  const temp = `${input.path}.part`;
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  let have = 0;
  let resumed = 0;
  const fail = (message: string, cause?: unknown) =>
    new S3TransferFailedError(location, message, { cause, s3Code: s3ErrorName(cause) });
  try {
    await rm(temp, { force: true });
    for (;;) {
      const idle = new AbortController();
      let timer = setTimeout(() => idle.abort(new Error(`no bytes for ${IDLE_MS / 1000}s`)), IDLE_MS);
      const both = signal ? AbortSignal.any([signal, idle.signal]) : idle.signal;
      try {
        const got = await s3.send(
          new GetObjectCommand({
            Bucket: location.bucket,
            Key: location.key,
            ...(facts.versionId ? { VersionId: facts.versionId } : facts.etag ? { IfMatch: facts.etag } : {}),
            ...(have > 0 ? { Range: `bytes=${have}-` } : {}),
          }),
          { abortSignal: both },
        );
        if (have + (got.ContentLength ?? 0) > facts.bytes)
          throw fail(
            `GetObject offers ${have + (got.ContentLength ?? 0)} bytes, HeadObject said ${facts.bytes}`,
          );
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            if (have + chunk.length > facts.bytes) {
              callback(fail(`more than the ${facts.bytes} bytes HeadObject said`));
              return;
            }
            have += chunk.length;
            sha256.update(chunk);
            md5.update(chunk);
            clearTimeout(timer);
            timer = setTimeout(() => idle.abort(new Error(`no bytes for ${IDLE_MS / 1000}s`)), IDLE_MS);
            input.onProgress?.(have, facts.bytes);
            callback(null, chunk);
          },
        });
        const body = got.Body instanceof Readable ? got.Body : Readable.from([]);
        await pipeline(
          body,
          meter,
          createWriteStream(temp, { flags: have > 0 ? "a" : "w", highWaterMark: WRITE_BUFFER_BYTES }),
          {
            signal: both,
          },
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof S3TransferFailedError) throw error;
        const name = s3ErrorName(error);
        // A replaced object (412) or a refusal is final; a cut body is worth resuming.
        if (
          name === "PreconditionFailed" ||
          name === "AccessDenied" ||
          name === "NoSuchKey" ||
          name === "NoSuchVersion"
        )
          throw fail(`GetObject refused (${name}); was the object replaced or removed?`, error);
        if (resumed >= RESUMES) throw fail(`${have} of ${facts.bytes} bytes after ${resumed} resumes`, error);
        resumed += 1;
        continue;
      } finally {
        clearTimeout(timer);
      }
      if (have === facts.bytes) break;
      if (resumed >= RESUMES) throw fail(`${have} of ${facts.bytes} bytes after ${resumed} resumes`);
      resumed += 1;
    }
    const digest = sha256.digest();
    const verifiedBy = checkDigest(facts, digest, md5.digest("hex"));
    if (typeof verifiedBy !== "string") throw fail(verifiedBy.mismatch);
    await rename(temp, input.path);
    return { bytes: have, sha256: digest.toString("hex"), verifiedBy, resumed };
  } finally {
    await rm(temp, { force: true });
  }
}

/** What S3 vouches for, compared with what arrived; a composite checksum or ETag vouches only via If-Match. */
function checkDigest(
  facts: ObjectFacts,
  sha256: Buffer,
  md5Hex: string,
): Downloaded["verifiedBy"] | { mismatch: string } {
  if (facts.sha256Base64 !== undefined) {
    const got = sha256.toString("base64");
    return got === facts.sha256Base64
      ? "S3's SHA-256"
      : { mismatch: `SHA-256 ${got}, S3 keeps ${facts.sha256Base64}` };
  }
  const etag = facts.etag?.replace(/"/g, "");
  if (facts.etagIsMd5 && etag !== undefined && /^[0-9a-f]{32}$/.test(etag))
    return etag === md5Hex ? "S3's ETag (MD5)" : { mismatch: `MD5 ${md5Hex}, S3's ETag is ${etag}` };
  // Multipart, SSE-KMS and SSE-C objects: the ETag is no digest of the bytes; the precondition pinned them.
  return "size and ETag precondition";
}
