import { z } from "zod";
import { expectedGot } from "../problems.js";
import { fanoutParamsSchema } from "./params.js";

/**
 * The S3 data plane of protocol v1. The orchestrator presigns, with its own credentials, exactly
 * the requests one attempt needs and hands them to the worker in request bodies over the pinned
 * connection (never in the environment, never in RunTask): the input's GET in the job-creation
 * body, the output's PUT or part PUTs once the worker has reported the output's checksums (S3
 * refuses a checksum header that is not signed, so the URLs are made when the checksums are
 * known). The task itself holds no S3 permission.
 */

/** Content type of a job-creation body that describes the job instead of carrying its input. */
export const JOB_SPEC_CONTENT_TYPE = "application/vnd.ecs-fanout.job+json";
/** Request header (octet-stream job creation): the part size the output's checksums are computed for. */
export const HEADER_PART_BYTES = "x-fanout-part-bytes";
/** S3's smallest part (all but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** S3's largest part. */
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
/** S3's most parts in one upload. */
export const MAX_PARTS = 10_000;
/** Largest job-creation or upload body a worker reads (a 10,000-part upload's URLs fit). */
export const MAX_SPEC_BYTES = 16 * 1024 * 1024;

const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("64 lowercase hex digits");
const md5Hex = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .describe("32 lowercase hex digits");
const byteCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A presigned URL: http(s) only, so a worker never opens a file: or other scheme for it. */
const presignedUrl = z
  .string()
  .max(8192)
  .refine((text) => /^https?:\/\/[^\s]+$/.test(text), {
    error: () => expectedGot("an http(s) URL", "another scheme or a malformed URL"),
  })
  .describe("a presigned http(s) URL");

/** Part size for an output's checksums and upload: within S3's limits. */
export const partBytesSchema = z.number().int().min(MIN_PART_BYTES).max(MAX_PART_BYTES);

/** Where a job's input comes from when it is not in the body: a presigned GET. */
export const s3InputSchema = z.strictObject({
  /** Presigned GET of the input (with its versionId, when one was asked for). */
  url: presignedUrl,
  /** Expected size, when the orchestrator knows it (a different size fails the fetch). */
  bytes: byteCount.optional(),
  /** Expected SHA-256, when the orchestrator knows it (a different digest fails the fetch). */
  sha256: sha256Hex.optional(),
});
/** A presigned GET of a job's input. */
export type S3Input = z.output<typeof s3InputSchema>;

/** Body of `PUT /v1/jobs/:jobId` with content type {@link JOB_SPEC_CONTENT_TYPE}. */
export const jobSpecSchema = z.strictObject({
  /** What `x-fanout-params` carries on an octet-stream creation. */
  params: fanoutParamsSchema.default({}),
  input: z.strictObject({ s3: s3InputSchema }),
  /** Output plan: with `partBytes`, the worker also reports each part's checksums. */
  output: z.strictObject({ partBytes: partBytesSchema.optional() }).optional(),
});
/** A job described by its S3 input. */
export type JobSpec = z.output<typeof jobSpecSchema>;

/** One part's checksums, as S3 computes them (for the composite checksum and the ETag). */
export const partChecksumSchema = z.strictObject({ sha256: sha256Hex, md5: md5Hex, bytes: byteCount });
/** One part's checksums. */
export type PartChecksum = z.output<typeof partChecksumSchema>;

/** Body of `POST /v1/jobs/:jobId/upload`: the presigned requests that put the output in S3. */
export const uploadRequestSchema = z.union([
  z.strictObject({
    /** One presigned PUT, signed with the output's `x-amz-checksum-sha256`. */
    put: z.strictObject({ url: presignedUrl }),
  }),
  z.strictObject({
    multipart: z
      .strictObject({
        partBytes: partBytesSchema,
        /** One presigned UploadPart per part, each signed with its part's checksum. */
        parts: z
          .array(z.strictObject({ number: z.number().int().min(1).max(MAX_PARTS), url: presignedUrl }))
          .min(1)
          .max(MAX_PARTS),
      })
      .superRefine((plan, ctx) => {
        plan.parts.forEach((part, index) => {
          if (part.number !== index + 1)
            ctx.addIssue({
              code: "custom",
              path: ["parts", index, "number"],
              message: expectedGot(`part ${index + 1}`, part.number),
            });
        });
      }),
  }),
]);
/** The presigned requests of one output upload. */
export type UploadRequest = z.output<typeof uploadRequestSchema>;

/** Body of a `200` to `POST /v1/jobs/:jobId/upload`: what S3 answered. */
export const uploadResultSchema = z.strictObject({
  /** S3's ETag of the single PUT (quotes included, as S3 sends it). */
  etag: z.string().max(256).optional(),
  /** S3's ETag of each part, for CompleteMultipartUpload. */
  parts: z
    .array(z.strictObject({ number: z.number().int().min(1).max(MAX_PARTS), etag: z.string().max(256) }))
    .max(MAX_PARTS)
    .optional(),
  bytes: byteCount,
  /** How long the upload took, retries included. */
  ms: z.number().min(0),
  /** Requests S3 answered with 5xx (SlowDown included) and the worker retried. */
  retries: z.number().int().min(0),
});
/** What S3 answered to an output upload. */
export type UploadResult = z.output<typeof uploadResultSchema>;

/** How an output of `bytes` is split for S3: one PUT, or `count` parts of `partBytes` (the last shorter). */
export function partPlan(
  bytes: number,
  partBytes: number | undefined,
): { partBytes: number; count: number } | undefined {
  if (partBytes === undefined || bytes <= partBytes) return undefined;
  return { partBytes, count: Math.ceil(bytes / partBytes) };
}

/** Presigned URLs end their query with a signature: cut every http(s) URL's query from a text. */
export function redactUrls(text: string): string {
  return text.replace(/(https?:\/\/[^\s?"'<>]*)\?[^\s"'<>]*/g, "$1?…");
}
