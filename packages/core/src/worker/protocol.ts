/** Worker protocol v1 shapes, as the orchestrator reads them (see docs/worker-protocol.md). */

/** `GET /v1/info`. */
export interface WorkerInfo {
  readonly worker?: { readonly name?: string; readonly version?: string };
  readonly runId?: string | null;
  readonly taskArn?: string | null;
  readonly processors?: readonly string[];
  readonly slots?: number;
  readonly busy?: number;
  readonly draining?: boolean;
  readonly uptimeSeconds?: number;
}

/** Job states a worker reports. */
export type JobState = "queued" | "running" | "succeeded" | "failed";

/** `GET /v1/jobs/:jobId`. */
export interface JobStatus {
  readonly jobId: string;
  readonly status: JobState;
  readonly progress?: number;
  readonly error?: { readonly code?: string; readonly message?: string };
  readonly output?: { readonly bytes: number; readonly sha256: string; readonly contentType?: string };
  readonly timings?: Readonly<Record<string, number | undefined>>;
}

const JOB_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A job id the worker accepts: the segment id and attempt, e.g. `seg-001.a2`. */
export function jobIdFor(segmentId: string, attempt: number): string {
  const id = `${segmentId}.a${attempt}`;
  if (!JOB_ID.test(id) || id === "." || id === "..") throw new RangeError(`not a valid job id: ${id}`);
  return id;
}

/** The `x-fanout-params` header: base64url JSON of the processor options. */
export function encodeParams(params: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(params), "utf8").toString("base64url");
}

/** Reads a worker's JSON error body loosely: `{error:{code,message}}`, `{code,message}` or text. */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown; message?: unknown };
    const e = (typeof body.error === "object" && body.error !== null ? body.error : body) as {
      code?: unknown;
      message?: unknown;
    };
    return {
      ...(typeof e.code === "string" ? { code: e.code } : {}),
      ...(typeof e.message === "string"
        ? { message: e.message }
        : typeof body.error === "string"
          ? { message: body.error }
          : {}),
    };
  } catch {
    return text.length > 0 ? { message: text.slice(0, 500) } : {};
  }
}
