import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorkerError } from "../../src/errors.js";
import { blameOf } from "../../src/run/segment-attempt.js";
import { MAX_JSON_BYTES } from "../../src/worker/bounded.js";
import { type TransferFloor, WorkerClient } from "../../src/worker/client.js";
import { downloadVerified } from "../../src/worker/download.js";
import { workerAgent } from "../../src/worker/pinned-agent.js";
import { type FakeWorker, infoBody, startFakeWorker } from "./fake-tls-worker.js";

const ARN = "arn:aws:ecs:us-east-1:1:task/c/t1";
const DECLARED = 4096;
const sha = createHash("sha256").update(Buffer.alloc(DECLARED, 1)).digest("hex");

/** Writes `chunk` for as long as the client reads, counting what went out. */
function flood(res: ServerResponse, chunk: Buffer, sent: { bytes: number }): void {
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) sent.bytes += chunk.length;
    if (!res.destroyed) res.once("drain", pump);
  };
  res.on("close", () => res.removeAllListeners("drain"));
  pump();
}

/** One byte every `everyMs` until the client hangs up. */
function drip(res: ServerResponse, everyMs: number, sent: { bytes: number }): void {
  const timer = setInterval(() => {
    res.write("x");
    sent.bytes += 1;
  }, everyMs);
  res.on("close", () => clearInterval(timer));
}

const codeOf = (error: unknown) => (error instanceof WorkerError ? error.workerCode : String(error));

describe("bounded reads from a hostile worker", () => {
  let worker: FakeWorker | undefined;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "fanout-bounded-"));
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const client = (httpMs = 5000, floor?: TransferFloor) => {
    if (worker === undefined) throw new Error("no worker");
    return new WorkerClient(
      worker.url,
      worker.identity.token,
      ARN,
      workerAgent(worker.identity),
      httpMs,
      floor,
    );
  };
  const download = (c: WorkerClient) =>
    downloadVerified({
      client: c,
      jobId: "j1",
      segmentId: "s1",
      expected: { bytes: DECLARED, sha256: sha },
      tempPath: join(dir, ".s1.part"),
      finalPath: join(dir, "s1.bin"),
      resumes: 3,
    });

  it("fails a download the moment it passes the declared size, keeps nothing, and does not resume", async () => {
    const sent = { bytes: 0 };
    worker = await startFakeWorker((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" }); // chunked: no length to judge by
      flood(res, Buffer.alloc(64 * 1024, 1), sent);
    });
    const error = await download(client()).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("OUTPUT_TOO_LARGE");
    expect(blameOf(error, false)).toBe("task");
    expect(await readdir(dir)).toEqual([]);
    expect(worker.requests).toHaveLength(1);
    // Only what sat in socket buffers when the client hung up, not gigabytes.
    expect(sent.bytes).toBeLessThan(16 * 1024 * 1024);
  });

  it("fails a download at once when its content-length is more than the job declared", async () => {
    worker = await startFakeWorker((_req, res) => {
      res.writeHead(200, { "content-length": String(10 * 1024 ** 3) });
      res.write(Buffer.alloc(1024));
    });
    const error = await download(client()).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("OUTPUT_TOO_LARGE");
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails a download that drips one byte every 2 s as too slow, long before any deadline", async () => {
    const sent = { bytes: 0 };
    worker = await startFakeWorker((_req, res) => {
      res.writeHead(200, { "content-length": String(DECLARED) });
      drip(res, 2000, sent);
    });
    // httpMs (the per-chunk idle limit) is well above the drip's 2 s, so only the floor can catch it.
    const error = await download(client(20_000, { minBytesPerSecond: 1024, windowMs: 3000 })).catch(
      (e: unknown) => e,
    );
    expect(codeOf(error)).toBe("TRANSFER_TOO_SLOW");
    expect(blameOf(error, false)).toBe("task");
    expect(await readdir(dir)).toEqual([]);
    expect(sent.bytes).toBeLessThan(5);
  });

  it("caps a JSON answer: a /v1/info that never ends is refused past 1 MiB", async () => {
    const sent = { bytes: 0 };
    worker = await startFakeWorker((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"worker":{"name":"');
      flood(res, Buffer.alloc(64 * 1024, 0x61), sent);
    });
    const error = await client()
      .info()
      .catch((e: unknown) => e);
    expect(codeOf(error)).toBe("RESPONSE_TOO_LARGE");
    expect(sent.bytes).toBeLessThan(MAX_JSON_BYTES + 16 * 1024 * 1024);
  });

  it("gives a JSON answer one deadline for the whole response, however steadily it drips", async () => {
    worker = await startFakeWorker((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      drip(res, 100, { bytes: 0 });
    });
    const started = Date.now();
    const error = await client(1500)
      .info()
      .catch((e: unknown) => e);
    expect(codeOf(error)).toBe("RESPONSE_DEADLINE");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.each([
    ["not JSON", "<html>"],
    ["an unknown field", JSON.stringify(infoBody({ admin: true }))],
    ["a field of the wrong type", JSON.stringify(infoBody({ slots: "many" }))],
    ["an array", "[]"],
  ])("turns an info answer that is %s into a classified WorkerError", async (_name, body) => {
    worker = await startFakeWorker((_req, res) => res.end(body));
    const error = await client()
      .info()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect(codeOf(error)).toBe("MALFORMED_RESPONSE");
    expect(blameOf(error, false)).toBe("task");
  });

  it("reads a garbled error body as a plain HTTP error, keeping its status for blame", async () => {
    worker = await startFakeWorker((_req, res) => {
      res.writeHead(507);
      res.end("disk full!!");
    });
    const error = await client()
      .status("j1", 0)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).statusCode).toBe(507);
    expect((error as WorkerError).workerCode).toBeUndefined();
  });

  it("reads the worker's code and message from a v1 error body", async () => {
    worker = await startFakeWorker((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "JOB_NOT_FOUND", message: "no job j1" } }));
    });
    const error = (await client()
      .status("j1", 0)
      .catch((e: unknown) => e)) as WorkerError;
    expect(error.workerCode).toBe("JOB_NOT_FOUND");
    expect(error.message).toContain("no job j1");
  });
});
