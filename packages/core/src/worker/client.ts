import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { type Dispatcher, request } from "undici";
import { WorkerError } from "../errors.js";
import type { SegmentInput } from "../options.js";
import { encodeParams, type JobStatus, parseErrorBody, type WorkerInfo } from "./protocol.js";

/** A worker's answer to a request whose body the caller streams. */
export interface StreamingResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable & { dump(): Promise<void> };
}

/** Talks protocol v1 to one worker over a shared undici dispatcher. */
export class WorkerClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    readonly taskArn: string,
    private readonly dispatcher: Dispatcher,
    private readonly httpMs: number,
  ) {}

  private error(
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

  private async send(
    method: Dispatcher.HttpMethod,
    path: string,
    options: {
      signal?: AbortSignal | undefined;
      headers?: Record<string, string>;
      body?: Readable | string;
      auth?: boolean;
      extraWaitMs?: number;
    } = {},
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

  /** Reads a JSON body, turning HTTP errors into WorkerError with the worker's code and message. */
  private async json<T>(response: StreamingResponse, path: string, ok: readonly number[]): Promise<T> {
    const text = await (response.body as unknown as { text(): Promise<string> }).text();
    if (!ok.includes(response.statusCode)) {
      const e = parseErrorBody(text);
      throw this.error(
        `${path}: HTTP ${response.statusCode}${e.message ? `: ${e.message}` : ""}`,
        path,
        response.statusCode,
        e.code,
      );
    }
    return (text.length === 0 ? {} : JSON.parse(text)) as T;
  }

  /** `GET /v1/health` (no auth): "ok" or "draining". */
  async health(signal?: AbortSignal): Promise<"ok" | "draining"> {
    const response = await this.send("GET", "/v1/health", { signal, auth: false });
    const body = await this.json<{ status?: string }>(response, "/v1/health", [200, 503]);
    return body.status === "draining" ? "draining" : response.statusCode === 200 ? "ok" : "draining";
  }

  /** `GET /v1/info`. */
  async info(signal?: AbortSignal): Promise<WorkerInfo> {
    return this.json<WorkerInfo>(await this.send("GET", "/v1/info", { signal }), "/v1/info", [200]);
  }

  /** `PUT /v1/jobs/:jobId`, streaming the input from disk (or from its URL). */
  async upload(
    jobId: string,
    input: SegmentInput,
    params: Readonly<Record<string, unknown>>,
    options: { sha256?: string | undefined; signal?: AbortSignal | undefined; dispatcher?: Dispatcher },
  ): Promise<{ bytes: number }> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    let body: Readable;
    let bytes: number | undefined;
    if ("path" in input) {
      bytes = (await stat(input.path)).size;
      body = createReadStream(input.path);
    } else {
      const source = await request(input.url, { dispatcher: this.dispatcher, signal: options.signal });
      if (source.statusCode !== 200) {
        await source.body.dump();
        throw this.error(
          `input ${input.url}: HTTP ${source.statusCode}`,
          path,
          undefined,
          "INPUT_UNAVAILABLE",
        );
      }
      const length = Number(source.headers["content-length"]);
      bytes = Number.isFinite(length) ? length : undefined;
      body = source.body as unknown as Readable;
    }
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "x-fanout-params": encodeParams(params),
      ...(bytes === undefined ? {} : { "content-length": String(bytes) }),
      ...(options.sha256 === undefined ? {} : { "x-content-sha256": options.sha256 }),
    };
    try {
      const response = await this.send("PUT", path, { signal: options.signal, headers, body });
      await this.json<unknown>(response, path, [200, 201, 202]);
    } finally {
      body.destroy();
    }
    return { bytes: bytes ?? 0 };
  }

  /** `GET /v1/jobs/:jobId?waitSeconds=N` (long poll). */
  async status(jobId: string, waitSeconds: number, signal?: AbortSignal): Promise<JobStatus> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    const response = await this.send("GET", `${path}?waitSeconds=${waitSeconds}`, {
      signal,
      extraWaitMs: waitSeconds * 1000,
    });
    return this.json<JobStatus>(response, path, [200]);
  }

  /** `GET /v1/jobs/:jobId/output`, optionally from byte `from` (Range). The caller consumes the body. */
  async output(jobId: string, from: number, signal?: AbortSignal): Promise<StreamingResponse> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/output`;
    const response = await this.send("GET", path, {
      signal,
      headers: from > 0 ? { range: `bytes=${from}-` } : {},
    });
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      await this.json<unknown>(response, path, [200, 206]);
    }
    return response;
  }

  /** `DELETE /v1/jobs/:jobId`: frees the worker's disk. */
  async delete(jobId: string, signal?: AbortSignal): Promise<void> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    await this.json<unknown>(await this.send("DELETE", path, { signal }), path, [200, 204, 404]);
  }

  /** `POST /v1/shutdown`: the worker exits once in-flight jobs end (`force`: now). */
  async shutdown(force: boolean, signal?: AbortSignal): Promise<void> {
    const path = `/v1/shutdown${force ? "?force=1" : ""}`;
    await this.json<unknown>(await this.send("POST", path, { signal }), path, [200, 202, 204]);
  }
}
