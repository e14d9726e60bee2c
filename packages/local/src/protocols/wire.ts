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

const MAX_BODY = 2 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
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
