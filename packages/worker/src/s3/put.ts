import { createReadStream } from "node:fs";
import type { PartChecksum, UploadRequest, UploadResult } from "@ecs-fanout/protocol";
import { backoffMs, pause, S3RequestError, s3Failure, s3Request } from "./http.js";

/** The finished output as the worker hashed it. */
export interface HashedOutput {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly parts?: readonly PartChecksum[] | undefined;
}

/** Bounds of one output upload. */
export interface PutLimits {
  readonly idleMs: number;
  /** Tries per request (5xx and SlowDown are tried again after a backoff; 4xx is final). */
  readonly attempts: number;
  /** Parts in flight at once. */
  readonly concurrency: number;
}

const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

/**
 * Puts a finished output in S3 through the presigned requests the orchestrator made for it: one
 * PUT, or one UploadPart per part, each with its `x-amz-checksum-sha256` (signed into the URL, so
 * S3 refuses other bytes). Returns S3's ETags; the orchestrator completes a multipart upload.
 */
export async function putOutput(
  output: HashedOutput,
  request: UploadRequest,
  limits: PutLimits,
  signal: AbortSignal,
): Promise<UploadResult> {
  const started = performance.now();
  let retries = 0;
  const send = async (url: string, start: number, bytes: number, sha256: string, what: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const body = createReadStream(output.path, bytes === 0 ? {} : { start, end: start + bytes - 1 });
        const res = await s3Request(url, {
          method: "PUT",
          headers: { "content-length": String(bytes), "x-amz-checksum-sha256": b64(sha256) },
          body,
          idleMs: limits.idleMs,
          signal,
          what,
        });
        if (res.statusCode !== 200) throw await s3Failure(res, what);
        res.resume();
        const etag = res.headers.etag;
        if (typeof etag !== "string" || etag === "")
          throw new S3RequestError("S3_REFUSED", `${what}: HTTP 200 without an ETag`, { retryable: false });
        return etag;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (!(error instanceof S3RequestError) || !error.retryable || attempt >= limits.attempts) throw error;
        retries++;
        await pause(backoffMs(attempt), signal);
      }
    }
  };

  if ("put" in request) {
    const etag = await send(request.put.url, 0, output.bytes, output.sha256, "S3 PUT of the output");
    return { etag, bytes: output.bytes, ms: performance.now() - started, retries };
  }
  const { partBytes, parts } = request.multipart;
  const sums = output.parts;
  if (sums === undefined || sums.length !== parts.length || partBytes !== sums[0]?.bytes)
    throw new S3RequestError(
      "UPLOAD_PLAN_MISMATCH",
      `upload: expected ${sums?.length ?? 0} parts of ${sums?.[0]?.bytes ?? 0} bytes (as hashed), got ${parts.length} of ${partBytes}`,
      { retryable: false },
    );
  const etags: string[] = new Array(parts.length);
  let next = 0;
  const lane = async () => {
    while (next < parts.length) {
      const index = next++;
      const part = parts[index] as (typeof parts)[number];
      const sum = sums[index] as PartChecksum;
      try {
        etags[index] = await send(
          part.url,
          index * partBytes,
          sum.bytes,
          sum.sha256,
          `S3 UploadPart ${part.number}`,
        );
      } catch (error) {
        next = parts.length; // the other lanes start no new part
        throw error;
      }
    }
  };
  const lanes = Array.from({ length: Math.min(limits.concurrency, parts.length) }, lane);
  const settled = await Promise.allSettled(lanes);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return {
    parts: etags.map((etag, index) => ({ number: index + 1, etag })),
    bytes: output.bytes,
    ms: performance.now() - started,
    retries,
  };
}
