import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import {
  checkSchema,
  errorResponseSchema,
  HEADER_PART_BYTES,
  healthResponseSchema,
  infoResponseSchema,
  JOB_SPEC_CONTENT_TYPE,
  type JobSpec,
  jobStatusSchema,
  redactUrls,
  shutdownResponseSchema,
  type UploadRequest,
  type UploadResult,
  uploadResultSchema,
} from "@ecs-fanout/protocol";
import { type Dispatcher, request } from "undici";
import type { z } from "zod";
import { WorkerError } from "../errors.js";
import type { SegmentInput } from "../options.js";
import { anySignal } from "../util/abort.js";
import { MAX_JSON_BYTES, readBoundedText, TransferLimitError, transferGuard } from "./bounded.js";
import { encodeParams, type JobStatus, type WorkerInfo } from "./protocol.js";

/** A worker's answer to a request whose body the caller streams. */
export interface StreamingResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable & { dump(): Promise<void> };
}

/** The slowest transfer an attempt tolerates (see TransportOptions). */
export interface TransferFloor {
  readonly minBytesPerSecond: number;
  readonly windowMs: number;
}

interface SendOptions {
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  body?: Readable | string;
  /** `false`: no Authorization header (`/v1/health`). */
  auth?: boolean;
  /** A long poll's wait, added to the request's time limits. */
  extraWaitMs?: number;
}

/** What each accepted status's body must be: a schema, or `null` for "no body worth reading". */
type Accepts = ReadonlyArray<readonly [status: number, schema: z.ZodType | null]>;

/** Talks protocol v1 to one worker over a shared undici dispatcher; every answer is bounded and checked. */
export class WorkerClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    readonly taskArn: string,
    private readonly dispatcher: Dispatcher,
    private readonly httpMs: number,
    readonly floor: TransferFloor = { minBytesPerSecond: 16_384, windowMs: 30_000 },
  ) {}

  /** A WorkerError about `path` on this worker. */
  error(
    message: string,
    path: string,
    statusCode?: number,
    workerCode?: string,
    cause?: unknown,
  ): WorkerError {
    return new WorkerError(
      message,
      {
        taskArn: this.taskArn,
        url: `${this.baseUrl}${path}`,
        ...(statusCode === undefined ? {} : { statusCode }),
        ...(workerCode === undefined ? {} : { workerCode }),
      },
      cause,
    );
  }

  /** A bound that broke while streaming, as the WorkerError a run classifies (no status: the task's fault). */
  limitError(error: TransferLimitError, path: string): WorkerError {
    return this.error(error.message, path, undefined, error.code, error);
  }

  private async send(
    method: Dispatcher.HttpMethod,
    path: string,
    options: SendOptions = {},
  ): Promise<StreamingResponse> {
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        dispatcher: this.dispatcher,
        headers: {
          ...(options.auth === false ? {} : { authorization: `Bearer ${this.token}` }),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: options.body }),
        signal: options.signal,
        headersTimeout: this.httpMs + (options.extraWaitMs ?? 0),
        bodyTimeout: this.httpMs + (options.extraWaitMs ?? 0),
      });
      return response as unknown as StreamingResponse;
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof TransferLimitError) throw this.limitError(error, path);
      const code = (error as { code?: unknown }).code;
      throw this.error(
        `${method} ${path} on ${this.baseUrl} failed: ${typeof code === "string" ? code : (error as Error).message}`,
        path,
        undefined,
        undefined,
        error,
      );
    }
  }

  /**
   * One request whose answer is JSON: the whole answer (headers and body) must arrive within the
   * request's deadline and weigh at most MAX_JSON_BYTES, and the body must match the schema of its
   * status. An error status becomes a WorkerError with the worker's code and message; anything
   * malformed is a WorkerError too (no status: the worker, not the segment, is at fault), never a crash.
   */
  private async exchange<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    accepts: Accepts,
    options: SendOptions & {
      query?: string;
      /** `headers`: the deadline starts once the answer begins (an upload's own time is bounded by the floor). */
      deadlineFrom?: "request" | "headers";
    } = {},
  ): Promise<{ statusCode: number; body: T | undefined }> {
    const limitMs = this.httpMs + (options.deadlineFrom === "headers" ? 0 : (options.extraWaitMs ?? 0));
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const startDeadline = () => {
      timer = setTimeout(() => deadline.abort(new Error(`no complete answer within ${limitMs} ms`)), limitMs);
    };
    const signal = anySignal(options.signal, deadline.signal);
    let statusCode: number;
    let text: string;
    try {
      if (options.deadlineFrom !== "headers") startDeadline();
      const response = await this.send(method, `${path}${options.query ?? ""}`, { ...options, signal });
      if (options.deadlineFrom === "headers") startDeadline();
      statusCode = response.statusCode;
      text = await readBoundedText(response.body, MAX_JSON_BYTES, `${method} ${path}`);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof TransferLimitError) throw this.limitError(error, path);
      if (deadline.signal.aborted)
        throw this.error(
          `${method} ${path}: no complete answer within ${limitMs} ms`,
          path,
          undefined,
          "RESPONSE_DEADLINE",
          error,
        );
      if (error instanceof WorkerError) throw error;
      throw this.error(
        `${method} ${path}: reading the answer failed: ${String(error)}`,
        path,
        undefined,
        undefined,
        error,
      );
    } finally {
      clearTimeout(timer);
    }
    const accepted = accepts.find(([status]) => status === statusCode);
    if (accepted === undefined) throw this.statusError(path, statusCode, text);
    const schema = accepted[1];
    if (schema === null) return { statusCode, body: undefined };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.malformed(path, statusCode, "not JSON");
    }
    const checked = checkSchema(schema, json);
    if (!checked.ok)
      throw this.malformed(
        path,
        statusCode,
        checked.problems.map((p) => `${p.path || "body"}: ${p.message}`).join("; "),
      );
    return { statusCode, body: checked.value as T };
  }

  private malformed(path: string, statusCode: number, why: string): WorkerError {
    return this.error(
      `${path}: malformed HTTP ${statusCode} answer (${why.slice(0, 500)})`,
      path,
      undefined,
      "MALFORMED_RESPONSE",
    );
  }

  /** An unexpected status, with the worker's error code and message when its body is a v1 error. */
  private statusError(path: string, statusCode: number, text: string): WorkerError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const checked = checkSchema(errorResponseSchema, body);
    const e = checked.ok ? checked.value.error : undefined;
    // A worker may echo what it was given: a presigned URL's query never reaches a message.
    return this.error(
      `${path}: HTTP ${statusCode}${e === undefined ? "" : `: ${redactUrls(e.message.slice(0, 500))}`}`,
      path,
      statusCode,
      e?.code,
    );
  }

  /** `GET /v1/health` (no auth): "ok" or "draining". */
  async health(signal?: AbortSignal): Promise<"ok" | "draining"> {
    const { body } = await this.exchange<z.output<typeof healthResponseSchema>>(
      "GET",
      "/v1/health",
      [
        [200, healthResponseSchema],
        [503, healthResponseSchema],
      ],
      { signal, auth: false },
    );
    return body?.status ?? "draining";
  }

  /** `GET /v1/info`. */
  async info(signal?: AbortSignal): Promise<WorkerInfo> {
    const { body } = await this.exchange<WorkerInfo>("GET", "/v1/info", [[200, infoResponseSchema]], {
      signal,
    });
    return body as WorkerInfo;
  }

  /** `PUT /v1/jobs/:jobId`, streaming the input from disk (or from its URL) no slower than the floor. */
  async upload(
    jobId: string,
    input: Exclude<SegmentInput, { s3: unknown }>,
    params: Readonly<Record<string, unknown>>,
    options: {
      sha256?: string | undefined;
      signal?: AbortSignal | undefined;
      dispatcher?: Dispatcher;
      /** Part size the worker reports the output's per-part checksums for (S3 multipart). */
      partBytes?: number | undefined;
    },
  ): Promise<{ bytes: number }> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    let source: Readable;
    let bytes: number | undefined;
    if ("path" in input) {
      bytes = (await stat(input.path)).size;
      source = createReadStream(input.path);
    } else {
      const fetched = await request(input.url, { dispatcher: this.dispatcher, signal: options.signal });
      if (fetched.statusCode !== 200) {
        await fetched.body.dump();
        throw this.error(
          `input ${input.url}: HTTP ${fetched.statusCode}`,
          path,
          undefined,
          "INPUT_UNAVAILABLE",
        );
      }
      const length = Number(fetched.headers["content-length"]);
      bytes = Number.isFinite(length) ? length : undefined;
      source = fetched.body as unknown as Readable;
    }
    const body = source.pipe(
      transferGuard({ ...this.floor, what: `upload of ${jobId}` }).on("error", () => source.destroy()),
    );
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "x-fanout-params": encodeParams(params),
      ...(bytes === undefined ? {} : { "content-length": String(bytes) }),
      ...(options.sha256 === undefined ? {} : { "x-content-sha256": options.sha256 }),
      ...(options.partBytes === undefined ? {} : { [HEADER_PART_BYTES]: String(options.partBytes) }),
    };
    try {
      await this.exchange(
        "PUT",
        path,
        [200, 201, 202].map((s) => [s, jobStatusSchema] as const),
        {
          signal: options.signal,
          headers,
          body,
          deadlineFrom: "headers",
        },
      );
    } finally {
      source.destroy();
      body.destroy();
    }
    return { bytes: bytes ?? 0 };
  }

  /**
   * `PUT /v1/jobs/:jobId` with a job spec: the worker fetches the input itself through the
   * presigned GET in the body (it travels only over this pinned connection).
   */
  async createFromSpec(jobId: string, spec: JobSpec, signal?: AbortSignal): Promise<JobStatus> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    const { body } = await this.exchange<JobStatus>(
      "PUT",
      path,
      [200, 201, 202].map((s) => [s, jobStatusSchema] as const),
      { signal, headers: { "content-type": JOB_SPEC_CONTENT_TYPE }, body: JSON.stringify(spec) },
    );
    return body as JobStatus;
  }

  /**
   * `POST /v1/jobs/:jobId/upload`: the worker puts the finished output in S3 through the presigned
   * requests given, and answers with S3's ETags. `waitMs` is how long the upload itself may take.
   */
  async s3Upload(
    jobId: string,
    request: UploadRequest,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<UploadResult> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/upload`;
    const { body } = await this.exchange<UploadResult>("POST", path, [[200, uploadResultSchema]], {
      signal,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
      extraWaitMs: waitMs,
    });
    return body as UploadResult;
  }

  /** `GET /v1/jobs/:jobId?waitSeconds=N` (long poll). */
  async status(jobId: string, waitSeconds: number, signal?: AbortSignal): Promise<JobStatus> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    const { body } = await this.exchange<JobStatus>("GET", path, [[200, jobStatusSchema]], {
      signal,
      query: `?waitSeconds=${waitSeconds}`,
      extraWaitMs: waitSeconds * 1000,
    });
    return body as JobStatus;
  }

  /** `GET /v1/jobs/:jobId/output`, optionally from byte `from` (Range). The caller consumes the body. */
  async output(jobId: string, from: number, signal?: AbortSignal): Promise<StreamingResponse> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/output`;
    const response = await this.send("GET", path, {
      signal,
      headers: from > 0 ? { range: `bytes=${from}-` } : {},
    });
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      const text = await readBoundedText(response.body, MAX_JSON_BYTES, `GET ${path}`).catch(() => "");
      throw this.statusError(path, response.statusCode, text);
    }
    return response;
  }

  /** `DELETE /v1/jobs/:jobId`: frees the worker's disk (already gone is fine). */
  async delete(jobId: string, signal?: AbortSignal): Promise<void> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    await this.exchange(
      "DELETE",
      path,
      [
        [200, null],
        [204, null],
        [404, null],
      ],
      { signal },
    );
  }

  /** `POST /v1/shutdown`: the worker exits once in-flight jobs end (`force`: now). */
  async shutdown(force: boolean, signal?: AbortSignal): Promise<void> {
    await this.exchange(
      "POST",
      "/v1/shutdown",
      [
        [200, shutdownResponseSchema],
        [202, shutdownResponseSchema],
        [204, null],
      ],
      { signal, query: force ? "?force=1" : "" },
    );
  }
}
