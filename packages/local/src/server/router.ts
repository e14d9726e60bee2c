import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Engine } from "../engine.js";
import { ApiError } from "../errors.js";
import { metadataResponse } from "../metadata.js";
import { parseQueryInput, sendQuery, sendQueryError } from "../protocols/ec2-query.js";
import { parseJsonInput, sendJson, sendJsonError } from "../protocols/json.js";
import { BodyTooLarge, discardRest, readBody } from "../protocols/wire.js";
import { ECS_TARGET, ec2Handlers, ecsHandlers, LOGS_TARGET, logsHandlers } from "./handlers.js";

/** API calls counted per action (e.g. "RunTask"), since start. */
export interface CallStats {
  /** Every call received, throttled ones included. */
  calls: Record<string, number>;
  /**
   * Calls answered with a throttling error (ThrottlingException; RequestLimitExceeded for EC2),
   * injected or by the token buckets.
   */
  throttled: Record<string, number>;
}

const bump = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1;
};

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError("ServerException", error instanceof Error ? error.message : String(error), {
        status: 500,
      });

/** One server, three protocols and the metadata endpoint; dispatch by header, content type and path. */
export function createRouter(engine: Engine, stats: CallStats) {
  /** Fault-injected throttling first (deterministic), then the AWS token buckets. */
  const admit = (action: string, throttleType: string): void => {
    bump(stats.calls, action);
    if (engine.faults.throttles(action) || !engine.rateLimiter.allowCall(action)) {
      bump(stats.throttled, action);
      throw new ApiError(
        throttleType,
        throttleType === "RequestLimitExceeded" ? "Request limit exceeded." : "Rate exceeded",
      );
    }
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && path.startsWith("/v4/")) {
      const doc = metadataResponse(engine.store, path);
      const body = JSON.stringify(doc ?? { error: "task metadata not found" });
      res.writeHead(doc ? 200 : 404, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
      return;
    }
    const target = req.headers["x-amz-target"];
    let body: string | undefined;
    let unread: ApiError | undefined;
    try {
      body = await readBody(req);
    } catch (error) {
      unread =
        error instanceof BodyTooLarge
          ? new ApiError("RequestEntityTooLarge", error.message, { status: 413 })
          : new ApiError("SerializationException", "Request body could not be read");
      if (error instanceof BodyTooLarge) {
        res.setHeader("connection", "close");
        discardRest(req);
      }
    }
    if (typeof target === "string") {
      const dot = target.indexOf(".");
      const prefix = dot < 0 ? target : target.slice(0, dot);
      const action = dot < 0 ? "" : target.slice(dot + 1);
      const handlers =
        prefix === ECS_TARGET ? ecsHandlers : prefix === LOGS_TARGET ? logsHandlers : undefined;
      try {
        if (unread) throw unread;
        const handler = handlers?.get(action);
        if (!handler) throw new ApiError("UnknownOperationException", `Unknown operation ${target}`);
        admit(action, "ThrottlingException");
        sendJson(res, handler(parseJsonInput(body ?? ""), engine), requestId);
      } catch (error) {
        sendJsonError(res, asApiError(error), requestId);
      }
      return;
    }
    try {
      if (unread) throw unread;
      const input = parseQueryInput(body ?? "");
      const handler = ec2Handlers.get(input.action);
      if (!handler)
        throw new ApiError(
          "InvalidAction",
          `The action ${input.action || "(none)"} is not valid for this web service.`,
        );
      admit(input.action, "RequestLimitExceeded");
      sendQuery(res, input.action, handler(input, engine), requestId);
    } catch (error) {
      sendQueryError(res, asApiError(error), requestId);
    }
  };
}
