/**
 * A small client for worker protocol v1 (see docs/worker-protocol.md), used by the benchmark sections
 * that measure the worker itself. Built on node:http so the bench needs no dependency of its own.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import { pipeline } from "node:stream/promises";

export interface JobStatusBody {
  jobId: string;
  status: "queued" | "running" | "succeeded" | "failed";
  progress: number;
  error?: { code: string; message: string };
  output?: { bytes: number; sha256: string; contentType: string };
  timings: Record<string, number | undefined>;
}

export interface WorkerAddress {
  url: string;
  token: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(
  worker: WorkerAddress,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): http.ClientRequest {
  return http.request(`${worker.url}${path}`, {
    method,
    agent,
    headers: { authorization: `Bearer ${worker.token}`, ...headers },
  });
}

async function readJson<T>(response: http.IncomingMessage): Promise<{ status: number; body: T }> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return { status: response.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as T };
}

function responseOf(req: http.ClientRequest): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
}

export function encodeParams(params: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(params)).toString("base64url");
}

/** PUT /v1/jobs/:id with the input streamed from a file (or a small buffer). */
export async function submitJob(
  worker: WorkerAddress,
  jobId: string,
  params: Record<string, unknown>,
  input: { path: string } | { buffer: Buffer },
): Promise<{ status: number; body: JobStatusBody }> {
  try {
    return await submitOnce(worker, jobId, params, input);
  } catch (error) {
    // A kept-alive socket the worker closed just as the request went out (its keep-alive timeout
    // ended meanwhile): Node's documented remedy is to send the request again on a new socket.
    if (error instanceof ReusedSocketReset) return submitOnce(worker, jobId, params, input);
    throw error;
  }
}

class ReusedSocketReset extends Error {}

async function submitOnce(
  worker: WorkerAddress,
  jobId: string,
  params: Record<string, unknown>,
  input: { path: string } | { buffer: Buffer },
): Promise<{ status: number; body: JobStatusBody }> {
  const length = "path" in input ? (await stat(input.path)).size : input.buffer.length;
  const req = request(worker, "PUT", `/v1/jobs/${encodeURIComponent(jobId)}`, {
    "x-fanout-params": encodeParams(params),
    "content-type": "application/octet-stream",
    "content-length": String(length),
  });
  const sent =
    "path" in input ? pipeline(createReadStream(input.path), req) : Promise.resolve(req.end(input.buffer));
  try {
    // Both halves are awaited together, so a failed body never leaves a rejection unobserved.
    const [response] = await Promise.all([responseOf(req), sent]);
    return await readJson<JobStatusBody>(response);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (req.reusedSocket && code === "ECONNRESET") throw new ReusedSocketReset(String(error));
    throw error;
  }
}

/** Long-polls until the job succeeds or fails. */
export async function waitForJob(worker: WorkerAddress, jobId: string): Promise<JobStatusBody> {
  for (;;) {
    const req = request(worker, "GET", `/v1/jobs/${encodeURIComponent(jobId)}?waitSeconds=20`);
    const response = responseOf(req);
    req.end();
    const { status, body } = await readJson<JobStatusBody>(await response);
    if (status !== 200) throw new Error(`GET job ${jobId}: HTTP ${status} ${JSON.stringify(body)}`);
    if (body.status === "succeeded" || body.status === "failed") return body;
  }
}

/** Streams the output to `destination`, hashing on the way; returns bytes and sha256. */
export async function downloadOutput(
  worker: WorkerAddress,
  jobId: string,
  destination: string,
): Promise<{ bytes: number; sha256: string }> {
  const req = request(worker, "GET", `/v1/jobs/${encodeURIComponent(jobId)}/output`);
  const response = responseOf(req);
  req.end();
  const res = await response;
  if (res.statusCode !== 200) throw new Error(`GET output ${jobId}: HTTP ${res.statusCode}`);
  const hash = createHash("sha256");
  let bytes = 0;
  res.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  await pipeline(res, createWriteStream(destination));
  return { bytes, sha256: hash.digest("hex") };
}

export async function deleteJob(worker: WorkerAddress, jobId: string): Promise<number> {
  const req = request(worker, "DELETE", `/v1/jobs/${encodeURIComponent(jobId)}`);
  const response = responseOf(req);
  req.end();
  const res = await response;
  res.resume();
  return res.statusCode ?? 0;
}
