import { AsyncLocalStorage } from "node:async_hooks";
import type { S3Client } from "@aws-sdk/client-s3";

/** S3 requests a run made or presigned, in S3's two price tiers; DELETE and CANCEL are free. */
export interface S3RequestCount {
  /** PUT, COPY, POST, LIST (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload). */
  put: number;
  /** GET and the rest (GetObject, HeadObject). */
  get: number;
}

/** Commands S3 does not charge for. */
const FREE = new Set(["DeleteObjectCommand", "DeleteObjectsCommand", "AbortMultipartUploadCommand"]);
const PUT_TIER = new Set([
  "PutObjectCommand",
  "CopyObjectCommand",
  "CreateMultipartUploadCommand",
  "UploadPartCommand",
  "UploadPartCopyCommand",
  "CompleteMultipartUploadCommand",
  "ListObjectsV2Command",
  "ListObjectsCommand",
  "ListMultipartUploadsCommand",
  "ListPartsCommand",
]);

const current = new AsyncLocalStorage<S3RequestCount>();
const instrumented = new WeakSet<S3Client>();

/**
 * Counts each command sent or presigned through `s3` (a presigned URL is one request its holder
 * makes) into the count of the run whose async context issued it. One middleware per client, at
 * the initialize step, so SDK retries of the same command are not counted twice; a client shared
 * by concurrent runs counts each run's requests to that run alone.
 */
export function countRequestsOf(s3: S3Client): void {
  if (instrumented.has(s3)) return;
  instrumented.add(s3);
  s3.middlewareStack.add(
    (next, context) => (args) => {
      const count = current.getStore();
      const name = context.commandName ?? "";
      if (count !== undefined && !FREE.has(name)) {
        if (PUT_TIER.has(name)) count.put += 1;
        else count.get += 1;
      }
      return next(args);
    },
    { step: "initialize", name: "ecsFanoutRequestCount" },
  );
}

/** Runs `fn` with `count` as the S3 request count of everything it starts. */
export function withRequestCount<T>(count: S3RequestCount, fn: () => Promise<T>): Promise<T> {
  return current.run(count, fn);
}
