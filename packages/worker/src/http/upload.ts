import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { checkSchema, HEADER_PART_BYTES, JOB_SPEC_CONTENT_TYPE, partBytesSchema } from "@ecs-fanout/protocol";
import { type Job, toStatus } from "../jobs.js";
import { NoRoomError, type Reservation } from "../lifecycle/disk-budget.js";
import { UploadDeadlines, UploadTimeoutError } from "../lifecycle/upload-deadlines.js";
import { resolveParams } from "../processors/registry.js";
import { decodeParams, HEADER_PARAMS, HEADER_SHA256 } from "../protocol.js";
import type { ServerContext } from "./context.js";
import { CLOSE, sendError, sendJson } from "./respond.js";
import { handleSpec } from "./spec.js";

/** File write buffer: network chunks (16 KiB TLS records) queue and go out as one writev. */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

class TooLarge extends Error {}
class ClientGone extends Error {}

/** `PUT /v1/jobs/:jobId`: validate, stream the body to disk while hashing it, queue the job. */
export async function handlePut(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  jobId: string,
): Promise<void> {
  const { config } = ctx;
  if (ctx.isDraining()) {
    return sendError(res, 503, "DRAINING", "worker is draining and takes no new jobs", { headers: CLOSE });
  }

  const contentType = header(req, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (contentType === JOB_SPEC_CONTENT_TYPE) return handleSpec(ctx, req, res, jobId);

  const problems: string[] = [];
  const partHeader = header(req, HEADER_PART_BYTES);
  let partBytes: number | undefined;
  if (partHeader !== undefined) {
    const checked = checkSchema(partBytesSchema, Number(partHeader));
    if (checked.ok) partBytes = checked.value;
    else problems.push(`${HEADER_PART_BYTES}: ${checked.problems[0]?.message ?? "invalid"}`);
  }
  const decoded = decodeParams(header(req, HEADER_PARAMS));
  const resolved = decoded.ok ? resolveParams(decoded.params, config) : decoded;
  if (!resolved.ok) problems.push(...resolved.problems);
  const declaredSha = header(req, HEADER_SHA256)?.toLowerCase();
  if (declaredSha !== undefined && !/^[0-9a-f]{64}$/.test(declaredSha)) {
    problems.push(
      `${HEADER_SHA256}: expected 64 hex digits, got ${JSON.stringify(declaredSha.slice(0, 80))}`,
    );
  }
  const lengthHeader = header(req, "content-length");
  const declaredLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
  if (!resolved.ok || problems.length > 0) {
    return sendError(res, 400, "INVALID_PARAMS", problems.join("; "), { problems, headers: CLOSE });
  }

  const existing = ctx.jobs.get(jobId);
  if (existing && declaredSha !== undefined) {
    // The client told us what it sends: no need to read it again to answer.
    return answerExisting(res, existing, declaredSha, CLOSE);
  }
  if (ctx.uploading.has(jobId)) {
    return sendError(res, 409, "UPLOAD_IN_PROGRESS", `an upload for job ${jobId} is still being received`, {
      headers: CLOSE,
    });
  }
  if (declaredLength !== undefined && declaredLength > config.maxInputBytes) {
    return tooLarge(res, config.maxInputBytes, declaredLength);
  }
  if (ctx.uploading.size >= config.maxConcurrentUploads) {
    return sendError(
      res,
      429,
      "TOO_MANY_UPLOADS",
      `uploads: expected at most ${config.maxConcurrentUploads} at once, got one more`,
      { headers: { "retry-after": 1, ...CLOSE } },
    );
  }

  // From here on the job id, the temp file, the descriptor and the disk reservation are held:
  // everything that can end the upload is wired up before the first await, so a client that
  // resets at any moment frees all of them (the finally below).
  ctx.uploading.add(jobId);
  const cut = new AbortController();
  const onGone = () => {
    if (!req.complete) cut.abort(new ClientGone("client went away during the upload"));
  };
  req.once("close", onGone);
  res.once("close", onGone);
  // A malformed body or a reset surfaces as "close" with the request incomplete (onGone).
  req.on("error", () => {});
  const deadlines = new UploadDeadlines(
    {
      idleMs: config.bodyIdleTimeoutSeconds * 1000,
      minBytesPerSecond: config.minUploadBytesPerSecond,
      windowMs: config.uploadRateWindowSeconds * 1000,
    },
    (error) => cut.abort(error),
  );
  const tmp = path.join(config.workDir, "uploads", randomUUID());
  let reservation: Reservation | undefined;
  let kept = false;
  // Before any answer that keeps nothing: the temp file goes and the job id is free again, so a
  // client that retries on the answer never sees a leftover or a 409 UPLOAD_IN_PROGRESS.
  const drop = () => {
    ctx.uploading.delete(jobId);
    return rm(tmp, { force: true }).catch(() => {});
  };
  const started = Date.now();
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    try {
      reservation = await ctx.disk.reserve(declaredLength);
      cut.signal.throwIfAborted();
      if (req.destroyed) throw new ClientGone("client went away during the upload");
      const held = reservation;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          deadlines.bytes(chunk.length);
          ctx.activity.progress();
          if (bytes > config.maxInputBytes) return callback(new TooLarge());
          hash.update(chunk);
          held.wrote(chunk.length).then(
            () => callback(null, chunk),
            (error: unknown) => callback(error as Error),
          );
        },
      });
      // req is piped, not part of the pipeline: on 413 or 507 the request must not be destroyed
      // with its socket before the answer is written.
      const written = pipeline(meter, createWriteStream(tmp, { highWaterMark: WRITE_BUFFER_BYTES }), {
        signal: cut.signal,
      });
      req.pipe(meter);
      await written;
    } catch (error) {
      req.unpipe();
      const reason = cut.signal.aborted ? (cut.signal.reason as unknown) : error;
      await drop();
      return failUpload(ctx, req, res, reason, bytes);
    } finally {
      deadlines.stop();
      req.off("close", onGone);
      res.off("close", onGone);
    }

    const sha256 = hash.digest("hex");
    if (declaredSha !== undefined && declaredSha !== sha256) {
      await drop();
      return sendError(
        res,
        400,
        "SHA256_MISMATCH",
        `${HEADER_SHA256}: expected ${declaredSha}, got ${sha256}`,
      );
    }
    const again = ctx.jobs.get(jobId);
    if (again) {
      await drop();
      return answerExisting(res, again, sha256);
    }
    if (ctx.isDraining()) {
      await drop();
      return sendError(res, 503, "DRAINING", "worker began draining during the upload");
    }

    const dir = path.join(config.workDir, "jobs", jobId);
    await mkdir(dir, { recursive: true });
    // A video extension keeps the GPU tools (which sniff by name) happy; ffmpeg sniffs content.
    const inputPath = path.join(dir, "input.mp4");
    await rename(tmp, inputPath);
    kept = true;
    const job: Job = {
      id: jobId,
      processor: resolved.value.processor,
      options: resolved.value.options,
      inputPath,
      inputSha256: sha256,
      inputBytes: bytes,
      dir,
      acceptedAt: Date.now(),
      uploadMs: Date.now() - started,
      partBytes,
      state: "queued",
      progress: 0,
      downloads: 0,
      abort: new AbortController(),
      deleted: false,
    };
    // The answer describes the job as accepted, before a free slot may start it.
    const accepted = toStatus(job);
    ctx.jobs.add(job);
    sendJson(res, 202, accepted);
  } finally {
    ctx.uploading.delete(jobId);
    reservation?.release();
    if (!kept) await drop();
  }
}

function failUpload(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  bytes: number,
): void {
  const { config } = ctx;
  if (error instanceof TooLarge) {
    tooLarge(res, config.maxInputBytes, bytes);
  } else if (error instanceof NoRoomError) {
    noRoom(res, error);
  } else if ((error as NodeJS.ErrnoException).code === "ENOSPC") {
    noRoom(res, new NoRoomError(0, bytes, config.minFreeBytes));
  } else if (error instanceof UploadTimeoutError) {
    ctx.log({ event: "upload.cut", level: "warn", reason: error.message, bytes });
    sendError(res, 408, "UPLOAD_TIMEOUT", error.message, { headers: CLOSE });
  } else {
    // The client went away, or its body was malformed: nobody is left to answer.
    res.destroy();
    return;
  }
  // The rest of the body is not worth reading: half-close after the answer (so it arrives
  // before any reset), and drop the connection soon after whatever the client does.
  res.once("finish", () => {
    req.socket.end();
    setTimeout(() => req.socket.destroy(), 2_000).unref();
  });
}

function answerExisting(
  res: ServerResponse,
  job: Job,
  sha256: string,
  headers: Record<string, string> = {},
): void {
  if (job.inputSha256 !== sha256) {
    sendError(
      res,
      409,
      "JOB_CONFLICT",
      `job ${job.id} exists with another input: expected sha256 ${job.inputSha256}, got ${sha256}`,
      { headers },
    );
    return;
  }
  // 202 like the first PUT: the protocol gives one answer for "accepted", new or not.
  sendJson(res, 202, toStatus(job), headers);
}

function tooLarge(res: ServerResponse, limit: number, got: number): void {
  sendError(res, 413, "INPUT_TOO_LARGE", `input: expected at most ${limit} bytes, got ${got}`, {
    headers: CLOSE,
  });
}

function noRoom(res: ServerResponse, error: NoRoomError): void {
  sendError(res, 507, "INSUFFICIENT_STORAGE", error.message, { headers: CLOSE });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
