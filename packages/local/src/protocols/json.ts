import type { ServerResponse } from "node:http";
import { ApiError } from "../errors.js";
import { send } from "./wire.js";

const CONTENT_TYPE = "application/x-amz-json-1.1";

/** Parse a JSON 1.1 request body; an empty body is `{}` as the SDK sends for no input. */
export function parseJsonInput(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ApiError("SerializationException", "Request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ApiError("SerializationException", "Request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, output: unknown, requestId: string): void {
  send(res, 200, CONTENT_TYPE, JSON.stringify(output ?? {}), requestId);
}

/** `__type` is what the SDK reads to pick its exception class; extra members (e.g. resourceIds) ride along. */
export function sendJsonError(res: ServerResponse, error: ApiError, requestId: string): void {
  const body = JSON.stringify({ __type: error.type, message: error.message, ...error.extra });
  res.setHeader("x-amzn-errortype", error.type);
  send(res, error.status, CONTENT_TYPE, body, requestId);
}
