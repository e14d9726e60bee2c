import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { WorkerError } from "../errors.js";

/** S3 refused or failed a presigned request; `s3Code` is S3's own error code when it sent one. */
export class S3RequestError extends WorkerError {
  readonly statusCode: number | undefined;
  readonly s3Code: string | undefined;
  /** Worth another try (5xx, SlowDown, a cut connection); a 4xx is final for these URLs. */
  readonly retryable: boolean;
  constructor(
    code: string,
    message: string,
    context: { statusCode?: number; s3Code?: string; retryable: boolean; cause?: unknown },
  ) {
    super(code, message, { cause: context.cause });
    this.statusCode = context.statusCode;
    this.s3Code = context.s3Code;
    this.retryable = context.retryable;
  }
}

/** Longest S3 error body read (S3 sends a few hundred bytes of XML). */
const MAX_ERROR_BODY = 16_384;

/**
 * One HTTP request to a presigned URL. The URL (its query is the credential) never appears in a
 * message: errors name the operation only. A response that stalls for `idleMs` is cut.
 */
export function s3Request(
  url: string,
  options: {
    method: "GET" | "PUT";
    headers?: Record<string, string>;
    body?: Readable;
    idleMs: number;
    signal: AbortSignal;
    what: string;
  },
): Promise<IncomingMessage> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: options.method, headers: options.headers, signal: options.signal });
    req.setTimeout(options.idleMs, () =>
      req.destroy(
        new S3RequestError("S3_TIMEOUT", `${options.what}: no progress for ${options.idleMs} ms`, {
          retryable: true,
        }),
      ),
    );
    req.once("response", resolve);
    req.once("error", (error: NodeJS.ErrnoException) => {
      if (options.signal.aborted) return reject(options.signal.reason);
      if (error instanceof S3RequestError) return reject(error);
      reject(
        new S3RequestError("S3_UNREACHABLE", `${options.what}: ${error.code ?? error.message}`, {
          retryable: true,
          cause: error,
        }),
      );
    });
    if (options.body) {
      options.body.once("error", (error) => req.destroy(error));
      options.body.pipe(req);
    } else req.end();
  });
}

/** Turns a non-2xx S3 answer into an S3RequestError with S3's code and message (bounded). */
export async function s3Failure(res: IncomingMessage, what: string): Promise<S3RequestError> {
  let text = "";
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (text.length < MAX_ERROR_BODY) text += chunk.toString("utf8");
    }
  } catch {
    // The body of an error is a courtesy: its status is what counts.
  }
  const status = res.statusCode ?? 0;
  const s3Code = /<Code>([^<]{1,128})<\/Code>/.exec(text)?.[1];
  const s3Message = /<Message>([^<]{1,500})<\/Message>/.exec(text)?.[1];
  const retryable = status >= 500 || s3Code === "SlowDown" || s3Code === "RequestTimeout";
  const code = status === 403 ? "S3_FORBIDDEN" : retryable ? "S3_UNAVAILABLE" : "S3_REFUSED";
  return new S3RequestError(
    code,
    `${what}: HTTP ${status}${s3Code ? ` ${s3Code}` : ""}${s3Message ? ` (${s3Message})` : ""}`,
    { statusCode: status, ...(s3Code ? { s3Code } : {}), retryable },
  );
}

/** Backoff before try `n` (1-based) of a retryable S3 request: 0.2 s, 0.4 s, 0.8 s … at most 5 s, jittered. */
export function backoffMs(n: number): number {
  const base = Math.min(5_000, 200 * 2 ** (n - 1));
  return base / 2 + Math.random() * (base / 2);
}

/** Waits `ms`, or rejects with the signal's reason. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
