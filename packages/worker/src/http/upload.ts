import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Job, toStatus } from "../jobs.js";
import { resolveParams } from "../processors/registry.js";
import { decodeParams, HEADER_PARAMS, HEADER_SHA256 } from "../protocol.js";
import { freeBytes } from "../storage.js";
import type { ServerContext } from "./context.js";
import { CLOSE, sendError, sendJson } from "./respond.js";

class TooLarge extends Error {}

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

  const problems: string[] = [];
  const decoded = decodeParams(header(req, HEADER_PARAMS));
  const resolved = decoded.ok ? resolveParams(decoded.params, config) : decoded;
  if (!resolved.ok) problems.push(...resolved.problems);
  const declaredSha = header(req, HEADER_SHA256)?.toLowerCase();
  if (declaredSha !== undefined && !/^[0-9a-f]{64}$/.test(declaredSha)) {
    problems.push(`${HEADER_SHA256}: expected 64 hex digits, got ${JSON.stringify(declaredSha)}`);
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
  const free = await freeBytes(config.workDir);
  if (free - (declaredLength ?? 0) < config.minFreeBytes) {
    return noRoom(res, free, declaredLength ?? 0, config.minFreeBytes);
  }

  ctx.uploading.add(jobId);
  const tmp = path.join(config.workDir, "uploads", randomUUID());
  const started = Date.now();
  const hash = createHash("sha256");
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > config.maxInputBytes) return callback(new TooLarge());
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const onClose = () => {
    if (!req.complete) meter.destroy(new Error("client went away during the upload"));
  };
  req.on("close", onClose);
  try {
    const written = pipeline(meter, createWriteStream(tmp));
    req.pipe(meter);
    await written;
  } catch (error) {
    req.unpipe(meter);
    await rm(tmp, { force: true });
    if (error instanceof TooLarge) return tooLarge(res, config.maxInputBytes, bytes);
    if ((error as NodeJS.ErrnoException).code === "ENOSPC") {
      return noRoom(res, await freeBytes(config.workDir).catch(() => 0), bytes, config.minFreeBytes);
    }
    if (!req.complete) return void res.destroy();
    throw error;
  } finally {
    req.off("close", onClose);
    ctx.uploading.delete(jobId);
  }

  const sha256 = hash.digest("hex");
  if (declaredSha !== undefined && declaredSha !== sha256) {
    await rm(tmp, { force: true });
    return sendError(res, 400, "SHA256_MISMATCH", `${HEADER_SHA256}: expected ${declaredSha}, got ${sha256}`);
  }
  const again = ctx.jobs.get(jobId);
  if (again) {
    await rm(tmp, { force: true });
    return answerExisting(res, again, sha256);
  }
  if (ctx.isDraining()) {
    await rm(tmp, { force: true });
    return sendError(res, 503, "DRAINING", "worker began draining during the upload");
  }

  const dir = path.join(config.workDir, "jobs", jobId);
  await mkdir(dir, { recursive: true });
  // A video extension keeps the GPU tools (which sniff by name) happy; ffmpeg sniffs content.
  const inputPath = path.join(dir, "input.mp4");
  await rename(tmp, inputPath);
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

function noRoom(res: ServerResponse, free: number, need: number, reserve: number): void {
  sendError(
    res,
    507,
    "INSUFFICIENT_STORAGE",
    `disk: expected ${need} bytes plus the ${reserve}-byte reserve to be free, got ${free}`,
    { headers: CLOSE },
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
