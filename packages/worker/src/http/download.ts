import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Job } from "../jobs.js";
import { HEADER_SHA256 } from "../protocol.js";
import type { ServerContext } from "./context.js";
import { parseRange } from "./range.js";
import { sendError } from "./respond.js";

/** `GET|HEAD /v1/jobs/:jobId/output`: the output streamed, resumable with `Range`. */
export async function handleOutput(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  job: Job,
): Promise<void> {
  const output = job.output;
  if (job.state !== "succeeded" || !output) {
    return sendError(
      res,
      409,
      "OUTPUT_NOT_READY",
      `job ${job.id} is ${job.state}; its output is not available`,
    );
  }
  const size = output.bytes;
  const range = parseRange(req.headers.range, size);
  const common = {
    "content-type": output.contentType,
    "accept-ranges": "bytes",
    [HEADER_SHA256]: output.sha256,
    etag: `"${output.sha256}"`,
    "cache-control": "no-store",
  };
  if (range === "unsatisfiable") {
    return sendError(
      res,
      416,
      "RANGE_NOT_SATISFIABLE",
      `range ${req.headers.range} does not fit ${size} bytes`,
      {
        headers: { "content-range": `bytes */${size}`, ...common },
      },
    );
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, {
    ...common,
    "content-length": length,
    ...(range ? { "content-range": `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === "HEAD" || length === 0) return void res.end();

  const first = job.downloads++ === 0;
  const stages: NodeJS.ReadWriteStream[] = [];
  const faults = job.faults ?? {};
  if (faults.corruptOutput) stages.push(flipFirstByte());
  if (first && faults.truncateDownloadAfterBytes !== undefined) {
    stages.push(cutAfter(faults.truncateDownloadAfterBytes, res));
  }
  const started = Date.now();
  // Large reads: fewer trips through JS per byte served (TLS cuts them into records natively).
  const file = createReadStream(output.path, { start, end, highWaterMark: 256 * 1024 });
  // Bytes leaving the disk count as progress; a stalled reader stops them (backpressure).
  file.on("data", () => ctx.activity.progress());
  try {
    await pipeline([file, ...stages, res]);
    ctx.log({ event: "job.output.served", jobId: job.id, bytes: length, start, ms: Date.now() - started });
  } catch (error) {
    ctx.log({
      event: "job.output.interrupted",
      level: "warn",
      jobId: job.id,
      start,
      reason: (error as Error).message,
    });
  }
}

/** Fault: the bytes served no longer match the sha256 reported. */
function flipFirstByte(): Transform {
  let flipped = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!flipped && chunk.length > 0) {
        flipped = true;
        const copy = Buffer.from(chunk);
        copy[0] = (copy[0] as number) ^ 0xff;
        return callback(null, copy);
      }
      callback(null, chunk);
    },
  });
}

/** Fault: the socket dies after `limit` bytes, like a dropped connection. */
function cutAfter(limit: number, res: ServerResponse): Transform {
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const room = limit - sent;
      if (room >= chunk.length) {
        sent += chunk.length;
        return callback(null, chunk);
      }
      if (room > 0) this.push(chunk.subarray(0, room));
      sent = limit;
      // Let the partial chunk reach the socket, then drop the connection.
      setImmediate(() => res.socket?.destroy());
      callback(new Error(`fault: download truncated after ${limit} bytes`));
    },
  });
}
