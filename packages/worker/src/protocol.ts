/** Wire types and pure helpers of worker protocol v1, shared with the orchestrator. */

/** The protocol version this worker speaks (v1: the routes and shapes in docs/worker-protocol.md). */
export const PROTOCOL_VERSION = 1;

/** Lifecycle of one job. */
export type JobState = "queued" | "running" | "succeeded" | "failed";

/** The finished output of a job, as reported in its status. */
export interface JobOutputInfo {
  /** Size of the output in bytes. */
  bytes: number;
  /** Hex SHA-256 of the output; also sent as `x-content-sha256` on download. */
  sha256: string;
  /** Content-Type the output is served with. */
  contentType: string;
}

/** Where a job's time went, in milliseconds; each field appears once the phase happened. */
export interface JobTimings {
  /** Time spent receiving the input body. */
  uploadMs?: number;
  /** Time between accepted and started. */
  queuedMs?: number;
  /** Time the processor ran. */
  processMs?: number;
  /** Accepted → finished. */
  totalMs?: number;
}

/** Body of `GET /v1/jobs/:jobId` (and of a successful PUT). */
export interface JobStatus {
  jobId: string;
  status: JobState;
  /** 0..1 */
  progress: number;
  processor: string;
  input: { bytes: number; sha256: string };
  error?: { code: string; message: string };
  output?: JobOutputInfo;
  timings: JobTimings;
  attempts?: number;
}

/** Body of `GET /v1/health`: "draining" once the worker takes no new jobs. */
export interface HealthResponse {
  status: "ok" | "draining";
}

/** Body of `GET /v1/info`: who this worker is and how loaded it is. */
export interface InfoResponse {
  worker: { name: string; version: string };
  runId: string | null;
  taskArn: string | null;
  processors: string[];
  slots: number;
  busy: number;
  draining: boolean;
  uptimeSeconds: number;
}

/** Body of every 4xx/5xx answer. */
export interface ErrorResponse {
  error: { code: string; message: string; problems?: string[] };
}

/** What the client puts in `x-fanout-params`: `{ processor, ...options }`. */
export interface FanoutParams {
  processor?: string;
  [option: string]: unknown;
}

/** Request header carrying base64url(JSON {@link FanoutParams}) on the job PUT. */
export const HEADER_PARAMS = "x-fanout-params";
/**
 * Header with a hex SHA-256: optional on upload (a mismatch is rejected with 400), always sent
 * with a downloaded output.
 */
export const HEADER_SHA256 = "x-content-sha256";
/** Longest long poll a status request may ask for with `waitSeconds`. */
export const MAX_WAIT_SECONDS = 60;
/** The processor used when `x-fanout-params` names none. */
export const DEFAULT_PROCESSOR = "ffmpeg-scale";

const JOB_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A job id is safe to use as a file name: no separators, never `.` or `..`. */
export function isValidJobId(jobId: string): boolean {
  return JOB_ID.test(jobId) && jobId !== "." && jobId !== "..";
}

/** base64url(JSON) for the `x-fanout-params` header. */
export function encodeParams(params: FanoutParams): string {
  return Buffer.from(JSON.stringify(params), "utf8").toString("base64url");
}

/**
 * Reverse of {@link encodeParams}. Returns the problems instead of throwing so the
 * server can report them all in one 400.
 */
export function decodeParams(
  header: string | undefined,
): { ok: true; params: FanoutParams } | { ok: false; problems: string[] } {
  if (header === undefined || header.trim() === "") return { ok: true, params: {} };
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(header.trim())) {
    return { ok: false, problems: [`${HEADER_PARAMS}: expected base64url, got ${JSON.stringify(header)}`] };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(header.trim(), "base64url").toString("utf8"));
  } catch (error) {
    return {
      ok: false,
      problems: [
        `${HEADER_PARAMS}: expected base64url JSON, got undecodable text (${(error as Error).message})`,
      ],
    };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, problems: [`${HEADER_PARAMS}: expected a JSON object, got ${describe(value)}`] };
  }
  const params = value as FanoutParams;
  if (params.processor !== undefined && typeof params.processor !== "string") {
    return { ok: false, problems: [`processor: expected a string, got ${describe(params.processor)}`] };
  }
  return { ok: true, params };
}

/** "expected … got …" helper shared by option validators. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
