import type { Readable } from "node:stream";
import { Transform, type TransformCallback } from "node:stream";

/** The most a JSON answer of a worker may weigh: every v1 body is a few hundred bytes. */
export const MAX_JSON_BYTES = 1024 * 1024;

/** Why a bounded transfer stopped: a stable code for the WorkerError it becomes. */
export type TransferLimitCode = "RESPONSE_TOO_LARGE" | "OUTPUT_TOO_LARGE" | "TRANSFER_TOO_SLOW";

/** A transfer broke one of its bounds (size or rate); the client wraps it in a WorkerError. */
export class TransferLimitError extends Error {
  override readonly name = "TransferLimitError";
  constructor(
    readonly code: TransferLimitCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a whole body as UTF-8 text, failing as soon as it passes `maxBytes` (nothing more is read:
 * the body is destroyed). The caller's signal bounds the time (see WorkerClient's whole-response
 * deadline).
 */
export async function readBoundedText(body: Readable, maxBytes: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes)
        throw new TransferLimitError("RESPONSE_TOO_LARGE", `${what}: the answer passed ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } finally {
    if (!body.readableEnded) body.destroy();
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Bounds of one streamed transfer. */
export interface TransferBounds {
  /** Most bytes that may pass; one more fails the stream at once. */
  readonly maxBytes?: number | undefined;
  /** Slowest acceptable rate over each window; 0 turns the check off. */
  readonly minBytesPerSecond: number;
  /** Length of a window, in ms. */
  readonly windowMs: number;
  /** For messages: "output of seg-1.a1". */
  readonly what: string;
  /** Sees each chunk that passed the bounds, before it goes on (hashing on the fly, without a second pass). */
  readonly onChunk?: ((chunk: Buffer) => void) | undefined;
}

/**
 * A pass-through that counts bytes: it fails the pipeline the moment more than `maxBytes` arrive
 * (the excess is never written on), and when fewer than `minBytesPerSecond × windowMs` pass in
 * any whole window — a drip that a per-chunk idle timeout never catches.
 */
export function transferGuard(bounds: TransferBounds): Transform {
  let total = 0;
  let inWindow = 0;
  const floor = (bounds.minBytesPerSecond * bounds.windowMs) / 1000;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      total += chunk.length;
      inWindow += chunk.length;
      if (bounds.maxBytes !== undefined && total > bounds.maxBytes) {
        callback(
          new TransferLimitError(
            "OUTPUT_TOO_LARGE",
            `${bounds.what}: more than the ${bounds.maxBytes} bytes declared arrived`,
          ),
        );
        return;
      }
      bounds.onChunk?.(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      clearInterval(timer);
      callback();
    },
    destroy(error, callback) {
      clearInterval(timer);
      callback(error);
    },
  });
  const timer = setInterval(() => {
    if (floor > 0 && inWindow < floor) {
      guard.destroy(
        new TransferLimitError(
          "TRANSFER_TOO_SLOW",
          `${bounds.what}: ${inWindow} bytes in ${bounds.windowMs} ms, below the floor of ${bounds.minBytesPerSecond} B/s`,
        ),
      );
    }
    inWindow = 0;
  }, bounds.windowMs);
  timer.unref();
  if (floor <= 0) clearInterval(timer);
  return guard;
}
