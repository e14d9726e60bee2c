import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { S3TransferError } from "../errors.js";
import { untilCut } from "../util/until-cut.js";
import { type S3Location, s3Uri } from "./uri.js";

/** Write buffer of the download's file stream (the default 64 KiB means many small writes). */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Streams an object from S3 into `tempPath` with the orchestrator's own credentials, hashing as it
 * writes (one pass, a chunk in memory at a time), resuming a cut body with Range from the bytes
 * already written, then checks size and SHA-256 against what the worker computed and renames the
 * file atomically to `finalPath`. A short, long or different object is never accepted, and the
 * temp file never outlives a failure.
 */
export async function downloadFromS3(input: {
  s3: S3Client;
  location: S3Location & { versionId?: string | undefined };
  expected: { bytes: number; sha256: string };
  tempPath: string;
  finalPath: string;
  resumes: number;
  segmentId?: string | undefined;
  signal?: AbortSignal | undefined;
}): Promise<{ bytes: number; sha256: string; resumed: number }> {
  const { s3, location, expected, tempPath, signal } = input;
  const uri = s3Uri(location);
  let hash = createHash("sha256");
  let have = 0;
  let resumed = 0;
  const fail = (code: string, message: string, cause?: unknown) =>
    new S3TransferError(code, message, { uri, segmentId: input.segmentId }, cause);
  try {
    await rm(tempPath, { force: true });
    while (have < expected.bytes || (have === 0 && resumed === 0)) {
      let body: Readable;
      try {
        const got = await s3.send(
          new GetObjectCommand({
            Bucket: location.bucket,
            Key: location.key,
            ...(location.versionId === undefined ? {} : { VersionId: location.versionId }),
            ...(have > 0 ? { Range: `bytes=${have}-` } : {}),
          }),
          { abortSignal: signal },
        );
        const total = have + (got.ContentLength ?? 0);
        if (total > expected.bytes)
          throw fail("OUTPUT_TOO_LARGE", `${uri}: ${total} bytes, the worker reported ${expected.bytes}`);
        body = got.Body as Readable;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof S3TransferError) throw error;
        const name = (error as { name?: string }).name;
        throw fail("S3_DOWNLOAD_FAILED", `GetObject ${uri}: ${name ?? String(error)}`, error);
      }
      // One generator stage instead of a Transform, and a large write buffer: fewer, bigger writes.
      const meter = async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          if (have + chunk.length > expected.bytes)
            throw fail(
              "OUTPUT_TOO_LARGE",
              `${uri}: more than the ${expected.bytes} bytes the worker reported`,
            );
          have += chunk.length;
          hash.update(chunk);
          yield chunk;
        }
      };
      try {
        await pipeline(
          body,
          // A cut body ends the file cleanly; the loop resumes from `have`.
          untilCut(() => {}),
          meter,
          createWriteStream(tempPath, { flags: have > 0 ? "a" : "w", highWaterMark: WRITE_BUFFER_BYTES }),
          { signal },
        );
        if (expected.bytes === 0 || have >= expected.bytes) break;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof S3TransferError) throw error;
      }
      if (resumed >= input.resumes)
        throw fail("S3_TRUNCATED", `${uri}: ${have} of ${expected.bytes} bytes after ${resumed} resumes`);
      resumed += 1;
      // A failed write (not a cut body) can leave fewer bytes on disk than were hashed: start over.
      if ((await sizeOnDisk(tempPath)) !== have) {
        have = 0;
        hash = createHash("sha256");
      }
    }
    const sha256 = hash.digest("hex");
    if (have !== expected.bytes || sha256 !== expected.sha256)
      throw fail(
        "INTEGRITY_MISMATCH",
        `${uri}: expected ${expected.bytes} bytes sha256 ${expected.sha256}, got ${have} bytes sha256 ${sha256}`,
      );
    await rename(tempPath, input.finalPath);
    return { bytes: have, sha256, resumed };
  } finally {
    await rm(tempPath, { force: true });
  }
}

const sizeOnDisk = async (path: string): Promise<number> => {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
};
