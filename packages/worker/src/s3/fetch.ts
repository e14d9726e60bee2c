import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { stat, truncate } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Input } from "@ecs-fanout/protocol";
import { backoffMs, pause, S3RequestError, s3Failure, s3Request } from "./http.js";

/** File write buffer: network chunks (16 KiB TLS records) queue and go out as one writev. */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Bounds of one input fetch. */
export interface FetchLimits {
  /** FANOUT_MAX_INPUT_BYTES: a larger object is refused before a byte is written. */
  readonly maxBytes: number;
  /** Cut a response that sends nothing for this long. */
  readonly idleMs: number;
  /** Tries in all (a 5xx, SlowDown, a cut or truncated body is tried again, resuming with Range). */
  readonly attempts: number;
}

/** What was fetched, and how many tries it took. */
export interface Fetched {
  readonly bytes: number;
  readonly sha256: string;
  readonly retries: number;
}

/**
 * Streams a presigned GET to `dest`, hashing as it writes, never holding more than a chunk in
 * memory. A body cut short resumes from where it stopped (Range); a size or digest other than
 * the expected one fails the fetch (`S3_INPUT_MISMATCH`), as does an object over `maxBytes`
 * (`INPUT_TOO_LARGE`). `onChunk` may throw (no room on disk) to stop it.
 */
export async function fetchToFile(
  input: S3Input,
  dest: string,
  limits: FetchLimits,
  signal: AbortSignal,
  onChunk: (bytes: number) => Promise<void> | void = () => {},
): Promise<Fetched> {
  let hash = createHash("sha256");
  let have = 0;
  let total: number | undefined = input.bytes;
  let retries = 0;
  for (let attempt = 1; ; attempt++) {
    // A failed write (not a cut body) can leave fewer bytes on disk than were hashed: start over.
    if (have > 0 && (await sizeOnDisk(dest)) !== have) {
      await truncate(dest, 0);
      have = 0;
      hash = createHash("sha256");
    }
    try {
      const res = await s3Request(input.url, {
        method: "GET",
        headers: have > 0 ? { range: `bytes=${have}-` } : {},
        idleMs: limits.idleMs,
        signal,
        what: "S3 GET of the input",
      });
      const status = res.statusCode ?? 0;
      if (status !== 200 && status !== 206) throw await s3Failure(res, "S3 GET of the input");
      if (status === 200 && have > 0) {
        // The server ignored the Range: start over rather than append a second copy.
        res.destroy();
        await truncate(dest, 0);
        have = 0;
        hash.destroy();
        return fetchToFile(input, dest, limits, signal, onChunk);
      }
      const length = objectSize(res.headers, status, have);
      if (length !== undefined) {
        if (total !== undefined && length !== total) {
          res.destroy();
          throw mismatch(`size: expected ${total} bytes, got ${length}`);
        }
        total = length;
      }
      if (total !== undefined && total > limits.maxBytes) {
        res.destroy();
        throw new S3RequestError(
          "INPUT_TOO_LARGE",
          `input: expected at most ${limits.maxBytes} bytes, got ${total}`,
          {
            retryable: false,
          },
        );
      }
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (have + chunk.length > (total ?? limits.maxBytes)) {
            callback(mismatch(`size: expected at most ${total ?? limits.maxBytes} bytes, got more`));
            return;
          }
          have += chunk.length;
          hash.update(chunk);
          Promise.resolve(onChunk(chunk.length)).then(
            () => callback(null, chunk),
            (error: unknown) => callback(error as Error),
          );
        },
      });
      let cut: unknown;
      try {
        await pipeline(
          res,
          untilCut((error) => {
            cut = error;
          }),
          meter,
          createWriteStream(dest, { flags: have > 0 ? "a" : "w", highWaterMark: WRITE_BUFFER_BYTES }),
          { signal },
        );
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof S3RequestError) throw error;
        cut ??= error;
      }
      if (cut !== undefined)
        throw new S3RequestError("S3_TRUNCATED", "S3 GET of the input: the body was cut", {
          retryable: true,
          cause: cut,
        });
      if (total !== undefined && have < total)
        throw new S3RequestError(
          "S3_TRUNCATED",
          `S3 GET of the input: ${have} of ${total} bytes, then the body ended`,
          {
            retryable: true,
          },
        );
      const sha256 = hash.digest("hex");
      if (input.sha256 !== undefined && input.sha256 !== sha256)
        throw mismatch(`sha256: expected ${input.sha256}, got ${sha256}`);
      return { bytes: have, sha256, retries };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (!(error instanceof S3RequestError) || !error.retryable || attempt >= limits.attempts) throw error;
      retries++;
      await pause(backoffMs(attempt), signal);
    }
  }
}

function mismatch(detail: string): S3RequestError {
  return new S3RequestError("S3_INPUT_MISMATCH", `S3 input ${detail}`, { retryable: false });
}

/** The whole object's size from Content-Range (206) or Content-Length (200). */
function objectSize(
  headers: Record<string, string | string[] | undefined>,
  status: number,
  from: number,
): number | undefined {
  if (status === 206) {
    const range = /\/(\d+)$/.exec(String(headers["content-range"] ?? ""));
    return range ? Number(range[1]) : undefined;
  }
  const length = Number(headers["content-length"]);
  return Number.isSafeInteger(length) && length >= 0 ? length + from : undefined;
}

/**
 * Passes the body's chunks on and ends cleanly when the body is cut, handing the error to
 * `onCut`: the file stream then writes every chunk that arrived, where a failing pipeline would
 * destroy it with chunks still queued (fewer bytes on disk than were hashed). A later stage's
 * error still fails the pipeline.
 */
function untilCut(onCut: (error: unknown) => void) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const chunks = source[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        onCut(error);
        return;
      }
      if (next.done) return;
      yield next.value;
    }
  };
}

async function sizeOnDisk(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
