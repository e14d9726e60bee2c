import type { IncomingMessage, ServerResponse } from "node:http";
import { checkSchema, MAX_SPEC_BYTES, redactUrls, uploadRequestSchema } from "@ecs-fanout/protocol";
import type { Job } from "../jobs.js";
import { S3RequestError } from "../s3/http.js";
import { putOutput } from "../s3/put.js";
import { BodyError, readJsonBody } from "./body.js";
import type { ServerContext } from "./context.js";
import { sendError, sendJson } from "./respond.js";

/** Tries per S3 request of an output upload. */
const PUT_ATTEMPTS = 4;
/** Parts in flight at once. */
const PUT_CONCURRENCY = 4;

/**
 * `POST /v1/jobs/:jobId/upload`: puts the finished output in S3 through the presigned requests in
 * the body and answers with S3's ETags (200), or with S3's refusal (502, code `S3_FORBIDDEN` for an
 * expired or refused URL, `S3_UNAVAILABLE` after 5xx/SlowDown retries, `S3_REFUSED` otherwise).
 * A client that goes away stops the upload: the orchestrator aborts the multipart upload.
 */
export async function handleS3Upload(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  job: Job,
) {
  let raw: unknown;
  try {
    raw = await readJsonBody(req, MAX_SPEC_BYTES, ctx.config.bodyIdleTimeoutSeconds * 1000);
  } catch (error) {
    const e = error instanceof BodyError ? error : new BodyError(400, "BODY_UNREADABLE", String(error));
    return sendError(res, e.status, e.code, e.message);
  }
  const checked = checkSchema(uploadRequestSchema, raw);
  if (!checked.ok) {
    const problems = checked.problems.map((p) => `${p.path || "body"}: ${p.message}`);
    return sendError(res, 400, "INVALID_UPLOAD", redactUrls(problems.join("; ")), {
      problems: problems.map(redactUrls),
    });
  }
  const output = job.output;
  if (job.state !== "succeeded" || output === undefined)
    return sendError(res, 409, "JOB_NOT_FINISHED", `job ${job.id} is ${job.state}: nothing to upload yet`);
  if (job.uploadingToS3)
    return sendError(res, 409, "UPLOAD_IN_PROGRESS", `job ${job.id} is being uploaded already`);
  job.uploadingToS3 = true;
  const gone = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) gone.abort(new Error("client went away during the S3 upload"));
  };
  res.once("close", onClose);
  // Bytes moving to S3 are progress: an upload longer than the idle timeout keeps the worker up.
  const beat = setInterval(() => ctx.activity.progress(), 5_000);
  const started = Date.now();
  try {
    const result = await putOutput(
      output,
      checked.value,
      {
        idleMs: ctx.config.bodyIdleTimeoutSeconds * 1000,
        attempts: PUT_ATTEMPTS,
        concurrency: PUT_CONCURRENCY,
      },
      AbortSignal.any([gone.signal, job.abort.signal, ctx.stopping]),
    );
    ctx.log({
      event: "job.uploaded",
      jobId: job.id,
      outputBytes: result.bytes,
      uploadMs: Date.now() - started,
      retries: result.retries,
    });
    sendJson(res, 200, result);
  } catch (error) {
    if (res.destroyed) return;
    const message = redactUrls(error instanceof Error ? error.message : String(error));
    ctx.log({ event: "job.upload_failed", level: "warn", jobId: job.id, message });
    if (error instanceof S3RequestError)
      return sendError(res, error.code === "UPLOAD_PLAN_MISMATCH" ? 400 : 502, error.code, message);
    sendError(res, 500, "UPLOAD_FAILED", message);
  } finally {
    clearInterval(beat);
    res.off("close", onClose);
    job.uploadingToS3 = false;
  }
}
