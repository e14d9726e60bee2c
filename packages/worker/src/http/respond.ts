import type { ServerResponse } from "node:http";
import type { ErrorResponse } from "../protocol.js";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: { problems?: string[]; headers?: Record<string, string | number> } = {},
): void {
  const body: ErrorResponse = {
    error: { code, message, ...(extra.problems ? { problems: extra.problems } : {}) },
  };
  sendJson(res, status, body, extra.headers);
}

/** For answers sent before the request body was read: close rather than read the rest. */
export const CLOSE = { connection: "close" } as const;
