import type { IncomingMessage } from "node:http";

/** The JSON body was too large, too slow, or not JSON. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 408 | 413,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a JSON request body of at most `maxBytes` within `timeoutMs`. */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new BodyError(413, "BODY_TOO_LARGE", `body: expected at most ${maxBytes} bytes, got ${declared}`);
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(
    () =>
      req.destroy(new BodyError(408, "BODY_TIMEOUT", `body: expected within ${timeoutMs} ms, got longer`)),
    timeoutMs,
  );
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes)
        throw new BodyError(413, "BODY_TOO_LARGE", `body: expected at most ${maxBytes} bytes, got more`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError(400, "BODY_UNREADABLE", "body: the request ended before it was complete");
  } finally {
    clearTimeout(timer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BodyError(400, "INVALID_JSON", "body: expected JSON, got undecodable text");
  }
}
