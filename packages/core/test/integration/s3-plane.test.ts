import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import type { JobStatus } from "@ecs-fanout/protocol";
import { syntheticBytes } from "@ecs-fanout/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, pinned, type SpawnedWorker, spawnWorker, TOKEN } from "../../../worker/test/helpers.js";
import { S3TransferError, WorkerError } from "../../src/errors.js";
import { quietLogger } from "../../src/logger.js";
import { makeS3Client } from "../../src/s3/client.js";
import { downloadFromS3 } from "../../src/s3/download.js";
import { MultipartLedger, type MultipartNote } from "../../src/s3/multipart-ledger.js";
import { putOutputInS3 } from "../../src/s3/output.js";
import { Presigner } from "../../src/s3/presign.js";
import { WorkerClient } from "../../src/worker/client.js";
import { downloadVerified } from "../../src/worker/download.js";

// The S3 data plane with its real parts: a worker process, the local S3 (s3rver, signatures
// checked), the core's presigner, WorkerClient and downloads. Every input × output combination.

const BUCKET = "plane";
const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const expectedOutput = (seed: string, bytes: number) => Buffer.concat([...syntheticBytes(seed, bytes)]);

let s3: LocalS3;
let s3Client: S3Client;
let presigner: Presigner;
/** The run's record of open multipart uploads, as a run keeps it (its notes kept here). */
let uploads: MultipartLedger;
const notes: MultipartNote[] = [];
let worker: SpawnedWorker;
let client: WorkerClient;
let dir: string;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
  s3Client = makeS3Client(
    { region: s3.region, credentials: s3.clientConfig.credentials },
    { endpoint: s3.endpoint },
  );
  presigner = new Presigner(s3Client);
  uploads = new MultipartLedger(s3Client, (n) => notes.push(n), quietLogger);
  worker = await spawnWorker();
  client = new WorkerClient(worker.url, TOKEN, "arn:aws:ecs:local:task/test", pinned, 10_000);
  dir = await mkdtemp(join(tmpdir(), "s3-plane-"));
  await s3Client.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: "in/clip.bin", Body: Buffer.alloc(300_000, 7) }),
  );
});
afterAll(async () => {
  await killAll();
  s3Client?.destroy();
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function finished(jobId: string): Promise<JobStatus> {
  for (let i = 0; i < 100; i++) {
    const status = await client.status(jobId, 5);
    if (status.status === "succeeded" || status.status === "failed") return status;
  }
  throw new Error(`job ${jobId} did not finish`);
}

const inputUrl = (key = "in/clip.bin", expiresIn = 120) => presigner.get({ bucket: BUCKET, key }, expiresIn);
const synthetic = (seed: string, bytes: number) => ({ processor: "synthetic", seed, bytes });

describe("the S3 data plane, against a real worker and a real local S3", () => {
  it("S3 input, local output: the worker fetches and verifies the input, the core downloads from the worker", async () => {
    const input = Buffer.alloc(300_000, 7);
    const accepted = await client.createFromSpec("s3-in-local-out", {
      params: synthetic("a", 200_000),
      input: { s3: { url: await inputUrl(), bytes: input.length, sha256: sha(input) } },
    });
    expect(accepted.status).toBe("queued");
    const status = await finished("s3-in-local-out");
    expect(status.status, JSON.stringify(status.error)).toBe("succeeded");
    expect(status.input).toEqual({ bytes: input.length, sha256: sha(input) });
    const out = join(dir, "a.bin");
    await downloadVerified({
      client,
      jobId: "s3-in-local-out",
      segmentId: "a",
      expected: { bytes: status.output?.bytes ?? 0, sha256: status.output?.sha256 ?? "" },
      tempPath: `${out}.part`,
      finalPath: out,
      resumes: 1,
    });
    expect(await readFile(out)).toEqual(expectedOutput("a", 200_000));
  });

  it("S3 input, S3 output in parts: the worker uploads each part with its checksum, the core completes, checks S3's digest and streams it to disk", async () => {
    const bytes = 11 * MiB + 3;
    await client.createFromSpec("s3-in-s3-out", {
      params: synthetic("b", bytes),
      input: { s3: { url: await inputUrl() } },
      output: { partBytes: 5 * MiB },
    });
    const status = await finished("s3-in-s3-out");
    expect(status.status, JSON.stringify(status.error)).toBe("succeeded");
    const output = status.output;
    if (!output) throw new Error("no output");
    expect(output.parts?.map((p) => p.bytes)).toEqual([5 * MiB, 5 * MiB, MiB + 3]);
    const landed = await putOutputInS3({
      s3: s3Client,
      presigner,
      client,
      jobId: "s3-in-s3-out",
      segmentId: "b",
      output,
      location: { bucket: BUCKET, key: "out/b.bin" },
      deadlineMs: Date.now() + 60_000,
      uploads,
    });
    expect(landed).toMatchObject({ uri: "s3://plane/out/b.bin", bytes, sha256: output.sha256, parts: 3 });
    // The upload was noted open from its creation and closed once completed.
    expect(notes.map((n) => [n.type, n.key, "outcome" in n ? n.outcome : n.type])).toEqual([
      ["multipart.opened", "out/b.bin", "multipart.opened"],
      ["multipart.closed", "out/b.bin", "completed"],
    ]);
    expect(uploads.openUploads).toEqual([]);
    const out = join(dir, "b.bin");
    const got = await downloadFromS3({
      s3: s3Client,
      location: landed.location,
      expected: output,
      tempPath: `${out}.part`,
      finalPath: out,
      resumes: 2,
    });
    expect(got.sha256).toBe(sha(expectedOutput("b", bytes)));
  });

  it("local input, S3 output: the input streams over the pinned connection, the output goes to S3 in one checksum-signed PUT", async () => {
    const file = join(dir, "local-in.bin");
    await writeFile(file, Buffer.alloc(50_000, 1));
    await client.upload("local-in-s3-out", { path: file }, synthetic("c", 70_000), { partBytes: 5 * MiB });
    const status = await finished("local-in-s3-out");
    const output = status.output;
    if (!output) throw new Error("no output");
    expect(output.parts).toBeUndefined();
    const landed = await putOutputInS3({
      s3: s3Client,
      presigner,
      client,
      jobId: "local-in-s3-out",
      segmentId: "c",
      output,
      location: { bucket: BUCKET, key: "out/c.bin" },
      deadlineMs: Date.now() + 60_000,
      uploads,
    });
    expect(landed.parts).toBe(0);
    const object = await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "out/c.bin" }));
    expect(Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()))).toEqual(
      expectedOutput("c", 70_000),
    );
  });

  it("fails a job whose presigned input URL expired, with S3's code and no URL in the message", async () => {
    const url = await inputUrl("in/clip.bin", 1);
    await new Promise((r) => setTimeout(r, 2_100));
    await client.createFromSpec("expired-in", { params: synthetic("d", 10), input: { s3: { url } } });
    const status = await finished("expired-in");
    expect(status.status).toBe("failed");
    expect(status.error?.code).toBe("S3_FORBIDDEN");
    expect(status.error?.message).toContain("Request has expired");
    expect(status.error?.message).not.toContain("X-Amz-Signature");
  });

  it("fails a job whose input is not the expected bytes", async () => {
    await client.createFromSpec("wrong-in", {
      params: synthetic("e", 10),
      input: { s3: { url: await inputUrl(), sha256: "0".repeat(64) } },
    });
    const status = await finished("wrong-in");
    expect(status.error?.code).toBe("S3_INPUT_MISMATCH");
  });

  it("refuses an upload whose URLs expired with a 502 S3_FORBIDDEN, and a retry with fresh URLs lands", async () => {
    await client.createFromSpec("expired-out", {
      params: synthetic("f", 4_000),
      input: { s3: { url: await inputUrl() } },
    });
    const output = (await finished("expired-out")).output;
    if (!output) throw new Error("no output");
    const stale = await presigner.put({ bucket: BUCKET, key: "out/f.bin" }, output, 1);
    await new Promise((r) => setTimeout(r, 2_100));
    const refused = await client
      .s3Upload("expired-out", { put: { url: stale } }, 30_000)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkerError);
    expect((refused as WorkerError).statusCode).toBe(502);
    expect((refused as WorkerError).workerCode).toBe("S3_FORBIDDEN");
    expect((refused as Error).message).not.toContain("X-Amz-Signature");
    const landed = await putOutputInS3({
      s3: s3Client,
      presigner,
      client,
      jobId: "expired-out",
      segmentId: "f",
      output,
      location: { bucket: BUCKET, key: "out/f.bin" },
      deadlineMs: Date.now() + 60_000,
      uploads,
    });
    expect(landed.sha256).toBe(output.sha256);
  });

  it("never accepts an object from S3 that differs from what the worker computed", async () => {
    await s3Client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "out/tampered.bin", Body: Buffer.alloc(100, 9) }),
    );
    const out = join(dir, "tampered.bin");
    const error = await downloadFromS3({
      s3: s3Client,
      location: { bucket: BUCKET, key: "out/tampered.bin" },
      expected: { bytes: 100, sha256: sha(Buffer.alloc(100, 8)) },
      tempPath: `${out}.part`,
      finalPath: out,
      resumes: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3TransferError);
    expect((error as S3TransferError).code).toBe("INTEGRITY_MISMATCH");
    await expect(readFile(out)).rejects.toThrow();
  });
});

/**
 * A proxy in front of the local S3 that misbehaves as S3 can: answers the first `slowDowns` GETs
 * with 503 SlowDown, and cuts the next body after `truncateAfter` bytes. It forwards the signed
 * Host, so S3 still checks every signature.
 */
async function faultyProxy(target: string, faults: { slowDowns: number; truncateAfter?: number }) {
  const { createServer, request: forward } = await import("node:http");
  const upstream = new URL(target);
  let slowDowns = faults.slowDowns;
  let truncate = faults.truncateAfter;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.headers.range ?? "-"}`);
    if (req.method === "GET" && slowDowns > 0) {
      slowDowns--;
      res.writeHead(503, { "content-type": "application/xml" });
      res.end("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
      return;
    }
    const out = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (req.method !== "GET" || truncate === undefined) return answer.pipe(res);
        let sent = 0;
        const limit = truncate;
        truncate = undefined;
        answer.on("data", (chunk: Buffer) => {
          if (sent >= limit) return;
          const piece = chunk.subarray(0, limit - sent);
          sent += piece.length;
          // Cut the connection only once the worker has had time to read what was sent: a
          // reset that lands first can discard bytes still buffered in its socket, and the
          // resume would then rightly start from 0 instead of with a Range.
          if (sent >= limit) res.write(piece, () => setTimeout(() => res.destroy(), 300));
          else res.write(piece);
        });
        answer.on("end", () => {
          if (sent < limit) res.end();
        });
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    rewrite: (url: string) => url.replace(upstream.host, `127.0.0.1:${port}`),
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("the worker's S3 fetch under S3's faults", () => {
  it("retries 503 SlowDown and resumes a truncated body with Range, then verifies the whole input", async () => {
    const input = Buffer.alloc(300_000, 7);
    const proxy = await faultyProxy(s3.endpoint, { slowDowns: 2, truncateAfter: 100_000 });
    try {
      const url = proxy.rewrite(await inputUrl());
      await client.createFromSpec("faulty-in", {
        params: synthetic("g", 1_000),
        input: { s3: { url, bytes: input.length, sha256: sha(input) } },
      });
      const status = await finished("faulty-in");
      expect(status.status, JSON.stringify(status.error)).toBe("succeeded");
      expect(status.input).toEqual({ bytes: input.length, sha256: sha(input) });
      // Two SlowDowns, the cut GET, then one GET of the rest from what reached the disk.
      expect(proxy.seen.slice(0, 3)).toEqual(["GET -", "GET -", "GET -"]);
      expect(proxy.seen).toHaveLength(4);
      const from = Number(/^GET bytes=(\d+)-$/.exec(proxy.seen[3] ?? "")?.[1]);
      expect(from).toBeGreaterThan(0);
      expect(from).toBeLessThanOrEqual(100_000);
    } finally {
      await proxy.close();
    }
  });

  it("gives up after its tries when S3 keeps answering SlowDown, and says so", async () => {
    const proxy = await faultyProxy(s3.endpoint, { slowDowns: 10 });
    try {
      await client.createFromSpec("slow-in", {
        params: synthetic("h", 10),
        input: { s3: { url: proxy.rewrite(await inputUrl()) } },
      });
      const status = await finished("slow-in");
      expect(status.error?.code).toBe("S3_UNAVAILABLE");
      expect(status.error?.message).toContain("SlowDown");
      expect(proxy.seen).toHaveLength(4);
    } finally {
      await proxy.close();
    }
  });
});
