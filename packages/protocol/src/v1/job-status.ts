import { z } from "zod";
import { jobIdSchema } from "./job-id.js";
import { MAX_PARTS, partChecksumSchema } from "./s3.js";

const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("64 lowercase hex digits");
const byteCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const millis = z.number().min(0);

/** Lifecycle of one job: `queued` → `running` → `succeeded` or `failed`. */
export const jobStateSchema = z.enum(["queued", "running", "succeeded", "failed"]);
/** One of the four job states. */
export type JobState = z.output<typeof jobStateSchema>;

/** The finished output of a job, as reported in its status. */
export const jobOutputSchema = z.strictObject({
  /** Size of the output in bytes. */
  bytes: byteCount,
  /** Hex SHA-256 of the output; also sent as `x-content-sha256` on download. */
  sha256: sha256Hex,
  /** Content-Type the output is served with. */
  contentType: z.string().max(256),
  /** Hex MD5 of the output: S3's ETag of a single PUT, checked where S3 has no SHA-256 to show. */
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .describe("32 lowercase hex digits")
    .optional(),
  /** Each part's checksums, when the job was created with a part size the output exceeds. */
  parts: z.array(partChecksumSchema).max(MAX_PARTS).optional(),
});
/** A finished job's output: size, SHA-256, content type. */
export type JobOutputInfo = z.output<typeof jobOutputSchema>;

/** Where a job's time went, in milliseconds; each field appears once the phase happened. */
export const jobTimingsSchema = z.strictObject({
  /** Time spent receiving the input body. */
  uploadMs: millis.optional(),
  /** Time between accepted and started. */
  queuedMs: millis.optional(),
  /** Time the processor ran. */
  processMs: millis.optional(),
  /** Accepted → finished. */
  totalMs: millis.optional(),
});
/** Where a job's time went, in milliseconds. */
export type JobTimings = z.output<typeof jobTimingsSchema>;

/** `{code, message}` of a failed job or of an error answer. */
export const jobErrorSchema = z.strictObject({
  code: z.string().min(1).max(128),
  message: z.string().max(8192),
});

/** Body of `GET /v1/jobs/:jobId` (and of a successful `PUT`). */
export const jobStatusSchema = z
  .strictObject({
    jobId: jobIdSchema,
    status: jobStateSchema,
    /** 0..1 (3 decimals). */
    progress: z.number().min(0).max(1),
    processor: z.string().min(1).max(128),
    /** Absent while the worker still fetches the input from S3. */
    input: z.strictObject({ bytes: byteCount, sha256: sha256Hex }).optional(),
    error: jobErrorSchema.optional(),
    output: jobOutputSchema.optional(),
    timings: jobTimingsSchema,
    attempts: z.number().int().min(1).optional(),
    /**
     * True once the worker takes no new jobs (a Spot notice or a stop under way): the job may
     * still finish and be downloaded. A long poll answers at once when draining begins. Absent
     * from workers that predate it, which means "not known".
     */
    draining: z.boolean().optional(),
  })
  .superRefine((status, ctx) => {
    // A succeeded job without output (or a failed one without error) is useless to a client.
    if (status.status === "succeeded" && status.output === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["output"],
        message: "expected an output for a succeeded job, got nothing",
      });
    if (status.status === "failed" && status.error === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["error"],
        message: "expected an error for a failed job, got nothing",
      });
  });
/** A job's status as the worker reports it. */
export type JobStatus = z.output<typeof jobStatusSchema>;
