import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat, truncate } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { IntegrityError, WorkerError } from "../errors.js";
import { untilCut } from "../util/until-cut.js";
import { TransferLimitError, transferGuard } from "./bounded.js";
import type { WorkerClient } from "./client.js";

/**
 * Write buffer of the temp file. A TLS socket hands over 16 KiB records; with the default 16 KiB
 * buffer each becomes its own write on the thread pool, with 4 MiB they queue and go out as one
 * writev, which took about a quarter of the client's CPU off a 1 GiB download over TLS.
 */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(
  path: string,
  signal?: AbortSignal,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  await pipeline(
    createReadStream(path),
    async (source: AsyncIterable<Buffer>) => {
      for await (const piece of source) {
        hash.update(piece);
        bytes += piece.length;
      }
    },
    { signal },
  );
  return { bytes, sha256: hash.digest("hex") };
}

const sizeOf = async (path: string): Promise<number> => {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
};

/**
 * Downloads a job's output into `tempPath`, resuming a cut transfer with `Range` from the bytes
 * actually on disk, then verifies size and sha256 against what the worker reported and renames
 * the file atomically to `finalPath`. A short or corrupt file is never accepted, and the temp file
 * never outlives a failure. The transfer is bounded while it streams: it fails the moment it
 * passes the declared size (or declares more up front), and when it stays below the client's rate
 * floor for a whole window; neither is resumed (the same worker would do it again).
 *
 * The sha256 is computed as the bytes stream through, so a clean transfer is read once; only after
 * a resume (bytes hashed but perhaps never written when the cut came) is the file hashed again from disk.
 */
export async function downloadVerified(input: {
  client: WorkerClient;
  jobId: string;
  segmentId: string;
  expected: { bytes: number; sha256: string };
  tempPath: string;
  finalPath: string;
  resumes: number;
  signal?: AbortSignal | undefined;
}): Promise<{ bytes: number; sha256: string; resumed: number }> {
  const { client, jobId, expected, tempPath, signal } = input;
  let resumed = 0;
  let headerSha: string | undefined;
  // On-the-fly hash of the bytes on disk; undefined once a transfer appended after a cut.
  let hash: Hash | undefined;
  let hashed = 0;
  try {
    await rm(tempPath, { force: true });
    for (;;) {
      const from = await sizeOf(tempPath);
      if (from >= expected.bytes && from > 0) break;
      try {
        const response = await client.output(jobId, from, signal);
        const sha = response.headers["x-content-sha256"];
        if (typeof sha === "string") headerSha = sha;
        const path = `/v1/jobs/${jobId}/output`;
        let flags = "a";
        let start = from;
        if (from > 0 && response.statusCode === 200) {
          // The worker ignored Range: start over rather than append a second copy.
          await truncate(tempPath, 0);
          flags = "w";
          start = 0;
        } else if (from > 0) {
          const range = response.headers["content-range"];
          const first = typeof range === "string" ? Number(/^bytes (\d+)-/.exec(range)?.[1]) : Number.NaN;
          if (first !== from) {
            await response.body.dump();
            throw new WorkerError(
              `output of ${jobId}: asked for bytes from ${from}, got range ${String(range)}`,
              {
                taskArn: client.taskArn,
                url: `${client.baseUrl}${path}`,
              },
            );
          }
        }
        if (start === 0) {
          hash = createHash("sha256");
          hashed = 0;
        } else hash = undefined;
        const maxBytes = expected.bytes - start;
        const declared = Number(response.headers["content-length"]);
        if (Number.isFinite(declared) && declared > maxBytes) {
          response.body.destroy();
          throw new TransferLimitError(
            "OUTPUT_TOO_LARGE",
            `output of ${jobId}: ${declared} bytes announced from byte ${start}, the job declared ${expected.bytes} in all`,
          );
        }
        let cut: unknown;
        await pipeline(
          response.body,
          untilCut((error) => {
            cut = error;
          }),
          transferGuard({
            ...client.floor,
            maxBytes,
            what: `output of ${jobId}`,
            onChunk: (chunk) => {
              hash?.update(chunk);
              hashed += chunk.length;
            },
          }),
          createWriteStream(tempPath, { flags, highWaterMark: WRITE_BUFFER_BYTES }),
          { signal },
        );
        if (cut !== undefined) throw cut;
        if ((await sizeOf(tempPath)) >= expected.bytes) break;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof TransferLimitError) throw client.limitError(error, `/v1/jobs/${jobId}/output`);
        if (error instanceof WorkerError && error.statusCode !== undefined) throw error;
        if (resumed >= input.resumes) throw error;
      }
      // Ended early (socket closed, or a clean but short body): resume from what is on disk.
      if (resumed >= input.resumes) {
        throw new WorkerError(`output of ${jobId} stayed short after ${resumed} resumes`, {
          taskArn: client.taskArn,
          url: `${client.baseUrl}/v1/jobs/${jobId}/output`,
        });
      }
      resumed += 1;
    }
    const onDisk = await sizeOf(tempPath);
    const actual =
      hash !== undefined && hashed === onDisk
        ? { bytes: onDisk, sha256: hash.digest("hex") }
        : await hashFile(tempPath, signal);
    if (
      actual.bytes !== expected.bytes ||
      actual.sha256 !== expected.sha256 ||
      (headerSha !== undefined && headerSha !== expected.sha256)
    ) {
      throw new IntegrityError(input.segmentId, expected, actual);
    }
    await rename(tempPath, input.finalPath);
    return { ...actual, resumed };
  } finally {
    await rm(tempPath, { force: true });
  }
}
