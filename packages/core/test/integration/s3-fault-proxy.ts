import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";

// A proxy on 127.0.0.1 in front of the local S3 that misbehaves as S3 and networks do, on the
// requests a test picks. Clients sign for the proxy's host and it forwards the Host header as is,
// so the local S3 still checks every signature (a presigned URL the core made points here too).

/** What the proxy knows about a request before it decides. */
export interface S3Request {
  readonly method: string;
  /** `bucket/key`, decoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Signed in the query (a presigned URL, i.e. a worker's request) rather than by header (the orchestrator's). */
  readonly presigned: boolean;
  readonly operation:
    | "GetObject"
    | "HeadObject"
    | "PutObject"
    | "UploadPart"
    | "CreateMultipartUpload"
    | "CompleteMultipartUpload"
    | "AbortMultipartUpload"
    | "DeleteObject"
    | "other";
}

/** What the proxy does to a request instead of passing it on untouched. */
export type S3Fault =
  /** Answer in S3's own error format, without asking S3. */
  | { readonly answer: number; readonly code: string; readonly message: string }
  /** Pass the answer on, but cut the connection after this many body bytes. */
  | { readonly truncateResponseAt: number }
  /** Flip one byte of the answer's body. */
  | { readonly corruptResponseByte: number }
  /** Forward this many bytes of the request body, then cut both connections. */
  | { readonly cutRequestAt: number }
  /** Flip one byte of the request body on its way to S3 (same length). */
  | { readonly corruptRequestByte: number }
  /** Wait for this before forwarding (the request may be gone by then). */
  | { readonly hold: (request: S3Request) => Promise<void> };

/** One request as the proxy saw it. */
export interface SeenRequest extends S3Request {
  fault: string | undefined;
  status: number | undefined;
  /** The UploadId a CreateMultipartUpload answered with, or the one a request names. */
  uploadId: string | undefined;
}

interface Rule {
  match: (r: S3Request) => boolean;
  fault: S3Fault;
  times: number;
}

function operationOf(method: string, q: URLSearchParams): S3Request["operation"] {
  if (method === "GET" && !q.has("uploadId") && !q.has("uploads")) return "GetObject";
  if (method === "HEAD") return "HeadObject";
  if (method === "PUT") return q.has("uploadId") ? "UploadPart" : "PutObject";
  if (method === "POST" && q.has("uploads")) return "CreateMultipartUpload";
  if (method === "POST" && q.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "DELETE") return q.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
  return "other";
}

const describe = (f: S3Fault): string =>
  "answer" in f ? `${f.answer} ${f.code}` : (Object.keys(f)[0] ?? "fault");

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint the core's S3 client is given. */
  readonly endpoint: string;
  readonly seen: SeenRequest[];
  /** Applies `fault` to the next `times` requests that match (rules are tried in order). */
  inject(match: (r: S3Request) => boolean, fault: S3Fault, times?: number): void;
  /** Drops every rule not used up yet. */
  clear(): void;
  /** Multipart uploads by id: created, completed, and those an abort was asked for. */
  uploads(): { created: string[]; completed: string[]; aborted: string[] };
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: Rule[] = [];
  const seen: SeenRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const method = req.method ?? "GET";
    const request: S3Request = {
      method,
      path: decodeURIComponent(url.pathname.slice(1)),
      query: url.searchParams,
      presigned: url.searchParams.has("X-Amz-Signature"),
      operation: operationOf(method, url.searchParams),
    };
    const rule = rules.find((r) => r.times > 0 && r.match(request));
    if (rule) rule.times -= 1;
    const fault = rule?.fault;
    const entry: SeenRequest = {
      ...request,
      fault: fault && describe(fault),
      status: undefined,
      uploadId: url.searchParams.get("uploadId") ?? undefined,
    };
    seen.push(entry);
    req.on("error", () => {});
    res.on("error", () => {});

    if (fault && "answer" in fault) {
      entry.status = fault.answer;
      req.resume();
      res.writeHead(fault.answer, { "content-type": "application/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>${fault.message}</Message><RequestId>proxy</RequestId></Error>`,
      );
      return;
    }
    if (fault && "hold" in fault) {
      req.pause();
      await fault.hold(request);
      if (req.destroyed || res.destroyed) return;
    }

    const out = forward({
      host: target.hostname,
      port: target.port,
      method,
      path: req.url,
      headers: req.headers,
    });
    out.on("error", () => res.destroy());
    req.on("close", () => {
      if (!req.complete) out.destroy();
    });
    out.on("response", (answer) => {
      entry.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      let sent = 0;
      let xml = "";
      answer.on("data", (chunk: Buffer) => {
        if (request.operation === "CreateMultipartUpload") xml += chunk.toString("utf8");
        let piece = chunk;
        if (fault && "truncateResponseAt" in fault) {
          piece = chunk.subarray(0, Math.max(0, fault.truncateResponseAt - sent));
        } else if (fault && "corruptResponseByte" in fault) {
          const at = fault.corruptResponseByte - sent;
          if (at >= 0 && at < chunk.length) {
            piece = Buffer.from(chunk);
            piece[at] = (piece[at] as number) ^ 0xff;
          }
        }
        sent += chunk.length;
        if (piece.length > 0) res.write(piece);
        if (fault && "truncateResponseAt" in fault && sent >= fault.truncateResponseAt) {
          answer.destroy();
          res.destroy();
        }
      });
      answer.on("end", () => {
        const id = /<UploadId>([^<]+)<\/UploadId>/.exec(xml)?.[1];
        if (id !== undefined) entry.uploadId = id;
        res.end();
      });
      answer.on("error", () => res.destroy());
    });

    let passed = 0;
    req.on("data", (chunk: Buffer) => {
      let piece = chunk;
      if (fault && "corruptRequestByte" in fault) {
        const at = fault.corruptRequestByte - passed;
        if (at >= 0 && at < chunk.length) {
          piece = Buffer.from(chunk);
          piece[at] = (piece[at] as number) ^ 0xff;
        }
      }
      if (fault && "cutRequestAt" in fault && passed + chunk.length >= fault.cutRequestAt) {
        out.write(chunk.subarray(0, fault.cutRequestAt - passed));
        passed += chunk.length;
        entry.status = 0;
        out.destroy();
        req.destroy();
        res.destroy();
        return;
      }
      passed += chunk.length;
      out.write(piece);
    });
    req.on("end", () => out.end());
    req.resume();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    inject(match, fault, times = 1) {
      rules.push({ match, fault, times });
    },
    clear() {
      rules.length = 0;
    },
    uploads() {
      const ids = (op: S3Request["operation"]) =>
        seen.filter((s) => s.operation === op && s.uploadId !== undefined).map((s) => s.uploadId as string);
      return {
        created: ids("CreateMultipartUpload"),
        completed: ids("CompleteMultipartUpload"),
        aborted: ids("AbortMultipartUpload"),
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
