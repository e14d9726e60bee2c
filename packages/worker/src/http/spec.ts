import { mkdir } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { checkSchema, jobSpecSchema, MAX_SPEC_BYTES } from "@ecs-fanout/protocol";
import { type Job, toStatus } from "../jobs.js";
import { NoRoomError } from "../lifecycle/disk-budget.js";
import { resolveParams } from "../processors/registry.js";
import { fetchToFile } from "../s3/fetch.js";
import { BodyError, readJsonBody } from "./body.js";
import type { ServerContext } from "./context.js";
import { CLOSE, sendError, sendJson } from "./respond.js";

/** Tries of one input fetch (5xx, SlowDown, a cut body), resuming where the last stopped. */
const FETCH_ATTEMPTS = 4;

/**
 * `PUT /v1/jobs/:jobId` with a job spec: the input is in S3 behind a presigned GET. The job is
 * accepted at once (202, queued, no input yet) and the worker fetches the input itself, bounded
 * by FANOUT_MAX_INPUT_BYTES, the disk budget and the body idle timeout, verified against the
 * expected size and SHA-256 when given. A failed fetch fails the job, with S3's code.
 */
export async function handleSpec(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  jobId: string,
) {
  const { config } = ctx;
  let raw: unknown;
  try {
    raw = await readJsonBody(req, MAX_SPEC_BYTES, config.bodyIdleTimeoutSeconds * 1000);
  } catch (error) {
    const e = error instanceof BodyError ? error : new BodyError(400, "BODY_UNREADABLE", String(error));
    return sendError(res, e.status, e.code, e.message, { headers: CLOSE });
  }
  const checked = checkSchema(jobSpecSchema, raw);
  if (!checked.ok) {
    const problems = checked.problems.map((p) => `${p.path || "body"}: ${p.message}`);
    return sendError(res, 400, "INVALID_JOB_SPEC", problems.join("; "), { problems });
  }
  const spec = checked.value;
  const resolved = resolveParams(spec.params, config);
  if (!resolved.ok)
    return sendError(res, 400, "INVALID_PARAMS", resolved.problems.join("; "), {
      problems: resolved.problems,
    });
  if (ctx.isDraining()) return sendError(res, 503, "DRAINING", "worker is draining and takes no new jobs");
  const existing = ctx.jobs.get(jobId);
  // A job id is one attempt's: the same id again is the same request retried.
  if (existing) return sendJson(res, 202, toStatus(existing));
  if (ctx.uploading.has(jobId))
    return sendError(res, 409, "UPLOAD_IN_PROGRESS", `an upload for job ${jobId} is still being received`);
  const expected = spec.input.s3.bytes;
  if (expected !== undefined && expected > config.maxInputBytes)
    return sendError(
      res,
      413,
      "INPUT_TOO_LARGE",
      `input: expected at most ${config.maxInputBytes} bytes, got ${expected}`,
    );
  let reservation: Awaited<ReturnType<typeof ctx.disk.reserve>>;
  try {
    reservation = await ctx.disk.reserve(expected);
  } catch (error) {
    if (error instanceof NoRoomError) return sendError(res, 507, "INSUFFICIENT_STORAGE", error.message);
    throw error;
  }
  const dir = path.join(config.workDir, "jobs", jobId);
  await mkdir(dir, { recursive: true });
  const job: Job = {
    id: jobId,
    processor: resolved.value.processor,
    options: resolved.value.options,
    inputPath: path.join(dir, "input.mp4"),
    inputSha256: "",
    inputBytes: 0,
    dir,
    acceptedAt: Date.now(),
    uploadMs: 0,
    partBytes: spec.output?.partBytes,
    state: "queued",
    progress: 0,
    downloads: 0,
    abort: new AbortController(),
    deleted: false,
  };
  ctx.jobs.addFetching(job, async (signal) => {
    try {
      return await fetchToFile(
        spec.input.s3,
        job.inputPath,
        {
          maxBytes: config.maxInputBytes,
          idleMs: config.bodyIdleTimeoutSeconds * 1000,
          attempts: FETCH_ATTEMPTS,
        },
        AbortSignal.any([signal, ctx.stopping]),
        async (bytes) => {
          ctx.activity.progress();
          await reservation.wrote(bytes);
        },
      );
    } finally {
      reservation.release();
    }
  });
  sendJson(res, 202, toStatus(job));
}
