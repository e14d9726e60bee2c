import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The JSON shape of an SDK type on the wire: JSON 1.1 sends timestamps as epoch seconds, so
 * every Date becomes a number; `$metadata` is added by the SDK, never sent.
 */
export type Wire<T> = T extends Date
  ? number
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
export type WireOutput<T> = Wire<Omit<T, "$metadata">>;

/** Epoch seconds with millisecond precision, as JSON 1.1 carries timestamps. */
export const epochSeconds = (ms: number): number => Math.round(ms) / 1000;

/** The largest request body the endpoint reads (AWS's JSON APIs cap requests far lower). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** A request body over {@link MAX_BODY_BYTES}: answered 413, the connection closed. */
export class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`request body of ${bytes} bytes or more exceeds the endpoint's limit of ${MAX_BODY_BYTES} bytes`);
  }
}

/** The whole body, or {@link BodyTooLarge} as soon as it (or its declared length) passes the cap. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyTooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(size);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * After a refused body: let the client finish writing (so it reads the 413 rather than a reset)
 * for a moment, then drop the connection, so an endless body costs nothing.
 */
export function discardRest(req: IncomingMessage): void {
  req.resume();
  setTimeout(() => req.socket.destroy(), 1000).unref();
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  requestId: string,
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
  });
  res.end(body);
}
