import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IntegrityError } from "../../src/errors.js";
import { WorkerClient } from "../../src/worker/client.js";
import { downloadVerified } from "../../src/worker/download.js";

const body = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));
const sha = createHash("sha256").update(body).digest("hex");

/** A worker output route that can cut the first response, ignore Range, or lie about the bytes. */
function outputServer(mode: { cutFirstAt?: number; ignoreRange?: boolean; corrupt?: boolean }): Server {
  let gets = 0;
  return createServer((req, res) => {
    gets += 1;
    const data = mode.corrupt ? Buffer.from(body).fill(7, 0, 10) : body;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const start = range && !mode.ignoreRange ? Number(range[1]) : 0;
    const headers = {
      "x-content-sha256": sha,
      "accept-ranges": "bytes",
      "content-length": String(data.length - start),
    };
    if (start > 0)
      res.writeHead(206, { ...headers, "content-range": `bytes ${start}-${data.length - 1}/${data.length}` });
    else res.writeHead(200, headers);
    if (gets === 1 && mode.cutFirstAt !== undefined) {
      res.write(data.subarray(start, mode.cutFirstAt));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(data.subarray(start));
  });
}

describe("downloadVerified", () => {
  let server: Server | undefined;
  let dir: string;
  let agent: Agent;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "fanout-dl-"));
    agent = new Agent();
  });
  afterEach(async () => {
    server?.close();
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function download(mode: Parameters<typeof outputServer>[0], resumes = 3) {
    server = outputServer(mode);
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const client = new WorkerClient(`http://127.0.0.1:${port}`, "tok", "arn:task", agent, 5000);
    return downloadVerified({
      client,
      jobId: "j1",
      segmentId: "s1",
      expected: { bytes: body.length, sha256: sha },
      tempPath: join(dir, ".s1.part"),
      finalPath: join(dir, "s1.bin"),
      resumes,
    });
  }

  it("resumes a cut download with Range and lands the exact bytes", async () => {
    const out = await download({ cutFirstAt: 12_345 });
    expect(out.resumed).toBe(1);
    expect(await readFile(join(dir, "s1.bin"))).toEqual(body);
    expect(await readdir(dir)).toEqual(["s1.bin"]);
  });

  it("starts over when the worker ignores Range instead of appending a second copy", async () => {
    await download({ cutFirstAt: 20_000, ignoreRange: true });
    expect(await readFile(join(dir, "s1.bin"))).toEqual(body);
  });

  it("never accepts a short file when resumes run out", async () => {
    await expect(download({ cutFirstAt: 1000 }, 0)).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it("rejects output whose sha256 differs from what the worker reported, leaving no file", async () => {
    await expect(download({ corrupt: true })).rejects.toBeInstanceOf(IntegrityError);
    expect(await readdir(dir)).toEqual([]);
  });
});
