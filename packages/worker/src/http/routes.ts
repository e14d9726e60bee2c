import type { IncomingMessage, ServerResponse } from "node:http";
import { toStatus } from "../jobs.js";
import type { HealthResponse, InfoResponse } from "../protocol.js";
import { isValidJobId, MAX_WAIT_SECONDS } from "../protocol.js";
import { WORKER_NAME, WORKER_VERSION } from "../version.js";
import type { ServerContext } from "./context.js";
import { handleOutput } from "./download.js";
import { CLOSE, sendError, sendJson } from "./respond.js";
import { handleS3Upload } from "./s3-upload.js";
import { handlePut } from "./upload.js";

type Route =
  | { kind: "health" | "info" | "drain" | "shutdown" | "not-found" }
  | { kind: "job" | "output" | "upload"; jobId: string }
  | { kind: "bad-job-id"; raw: string };

/** Maps a raw request path to a route; job ids are decoded once, here, and checked. */
export function matchRoute(pathname: string): Route {
  if (pathname === "/v1/health") return { kind: "health" };
  if (pathname === "/v1/info") return { kind: "info" };
  if (pathname === "/v1/drain") return { kind: "drain" };
  if (pathname === "/v1/shutdown") return { kind: "shutdown" };
  const prefix = "/v1/jobs/";
  if (!pathname.startsWith(prefix)) return { kind: "not-found" };
  const rest = pathname.slice(prefix.length);
  const parts = rest.split("/");
  const output = parts.length === 2 && parts[1] === "output";
  const upload = parts.length === 2 && parts[1] === "upload";
  if (parts.length > 2 || (parts.length === 2 && !output && !upload))
    return { kind: "bad-job-id", raw: rest };
  let jobId: string;
  try {
    jobId = decodeURIComponent(parts[0] ?? "");
  } catch {
    return { kind: "bad-job-id", raw: rest };
  }
  if (!isValidJobId(jobId)) return { kind: "bad-job-id", raw: rest };
  return { kind: output ? "output" : upload ? "upload" : "job", jobId };
}

const ALLOWED: Record<string, string[]> = {
  health: ["GET", "HEAD"],
  info: ["GET"],
  drain: ["POST"],
  shutdown: ["POST"],
  job: ["PUT", "GET", "DELETE"],
  output: ["GET", "HEAD"],
  upload: ["POST"],
};

export async function dispatch(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: Route,
): Promise<void> {
  const method = req.method ?? "GET";
  const allowed = ALLOWED[route.kind];
  if (allowed && !allowed.includes(method)) {
    return sendError(res, 405, "METHOD_NOT_ALLOWED", `${method} is not allowed on ${url.pathname}`, {
      headers: { allow: allowed.join(", "), ...CLOSE },
    });
  }
  switch (route.kind) {
    case "health": {
      const body: HealthResponse = { status: ctx.isDraining() ? "draining" : "ok" };
      return sendJson(res, 200, body);
    }
    case "info": {
      const body: InfoResponse = {
        worker: { name: WORKER_NAME, version: WORKER_VERSION },
        runId: ctx.config.runId,
        taskArn: ctx.taskArn,
        processors: ctx.processors,
        slots: ctx.config.slots,
        busy: ctx.jobs.busy,
        draining: ctx.isDraining(),
        uptimeSeconds: Math.floor((Date.now() - ctx.startedAt) / 1000),
      };
      return sendJson(res, 200, body);
    }
    case "drain":
      ctx.drain("drain request");
      return sendJson(res, 200, { draining: true, inFlight: ctx.jobs.inFlight });
    case "shutdown": {
      const force = ["1", "true"].includes(url.searchParams.get("force") ?? "");
      sendJson(res, 202, { shuttingDown: true, force, inFlight: ctx.jobs.inFlight }, CLOSE);
      res.once("finish", () => ctx.shutdown({ force, reason: "shutdown request" }));
      return;
    }
    case "bad-job-id":
      return sendError(
        res,
        400,
        "INVALID_JOB_ID",
        `job id: expected ^[A-Za-z0-9._-]{1,128}$ (not . or ..), got ${JSON.stringify(route.raw.slice(0, 200))}`,
        { headers: CLOSE },
      );
    case "job":
      if (method === "PUT") return handlePut(ctx, req, res, route.jobId);
      if (method === "DELETE") {
        const deleted = await ctx.jobs.delete(route.jobId);
        if (!deleted) return notFound(res, route.jobId);
        res.writeHead(204).end();
        return;
      }
      return handleStatus(ctx, res, url, route.jobId);
    case "upload": {
      const job = ctx.jobs.get(route.jobId);
      if (!job) return notFound(res, route.jobId);
      return handleS3Upload(ctx, req, res, job);
    }
    case "output": {
      const job = ctx.jobs.get(route.jobId);
      if (!job) return notFound(res, route.jobId);
      return handleOutput(ctx, req, res, job);
    }
    default:
      return sendError(res, 404, "NOT_FOUND", `no route ${method} ${url.pathname}`);
  }
}

async function handleStatus(ctx: ServerContext, res: ServerResponse, url: URL, jobId: string): Promise<void> {
  const job = ctx.jobs.get(jobId);
  if (!job) return notFound(res, jobId);
  const raw = url.searchParams.get("waitSeconds");
  if (raw !== null) {
    const seconds = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
      return sendError(
        res,
        400,
        "INVALID_WAIT",
        `waitSeconds: expected a number in 0..${MAX_WAIT_SECONDS}, got ${JSON.stringify(raw)}`,
      );
    }
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.on("close", onClose);
    // The start of a drain is news the client must hear at once (it takes its queued work back
    // and launches a replacement); a poll begun while already draining waits as usual.
    const drainNews = ctx.isDraining() ? [] : [ctx.drained];
    await ctx.jobs.waitForStatusChange(
      job,
      job.state,
      Math.min(seconds, MAX_WAIT_SECONDS) * 1000,
      AbortSignal.any([gone.signal, ctx.stopping, ...drainNews]),
    );
    res.off("close", onClose);
    if (res.destroyed) return;
    if (job.deleted) return notFound(res, jobId);
  }
  sendJson(res, 200, { ...toStatus(job), draining: ctx.isDraining() });
}

function notFound(res: ServerResponse, jobId: string): void {
  sendError(res, 404, "JOB_NOT_FOUND", `no job ${jobId} on this worker`);
}
