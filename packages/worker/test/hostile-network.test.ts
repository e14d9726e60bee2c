/**
 * Clients that misbehave on purpose, written by hand over TLS (or raw TCP): uploads that stall,
 * crawl, reset at any moment or send a malformed body; connection floods; uploads that each
 * fit the disk alone but not together. Each case failed before the worker bounded it.
 */
import { readdir, readlink, statfs } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import {
  CERT,
  connectTls,
  fetch,
  jobStatus,
  json,
  killAll,
  putHead,
  putJob,
  type SpawnedWorker,
  spawnWorker,
  within,
} from "./helpers.js";

afterAll(killAll);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the status line's code of whatever the worker answers on `socket`, or null on close. */
function answerOn(socket: net.Socket): Promise<{ status: number | null; text: string }> {
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (c: Buffer) => {
      text += c.toString("latin1");
    });
    socket.on("error", () => {});
    socket.once("close", () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, text });
    });
  });
}

/** A TLS connection whose TCP socket the test can reset (RST) at will. */
async function resettable(url: string): Promise<{ tcp: net.Socket; socket: tls.TLSSocket }> {
  const { hostname, port } = new URL(url);
  const tcp = net.connect({ host: hostname, port: Number(port) });
  tcp.on("error", () => {});
  const socket = tls.connect({ socket: tcp, host: hostname, ca: CERT.cert });
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => resolve());
    socket.once("error", reject);
  });
  return { tcp, socket };
}

async function openDescriptors(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")));
  return targets.filter(Boolean);
}

async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await sleep(100);
  }
}

describe("uploads that end badly free everything they held", () => {
  let w: SpawnedWorker;

  it("30 uploads reset at different moments leave no job id answering 409, no temp file and no descriptor", async () => {
    w = await spawnWorker({ FANOUT_MAX_CONCURRENT_UPLOADS: "64" });
    const pid = w.proc.pid as number;
    const uploads = path.join(w.workDir, "uploads");
    const before = (await openDescriptors(pid)).filter((t) => t.startsWith(uploads)).length;
    for (let i = 0; i < 30; i++) {
      const { tcp, socket } = await resettable(w.url);
      socket.write(putHead(`reset-${i}`, { "content-length": 1000 }));
      // Before the worker looks at the disk, while it does, and once the body is flowing.
      if (i % 3 === 1) await sleep(5);
      if (i % 3 === 2) {
        socket.write(Buffer.alloc(10));
        await sleep(20);
      }
      tcp.resetAndDestroy();
    }
    await eventually(async () => (await readdir(uploads)).length === 0, 5_000, "temp files removed");
    await eventually(
      async () => (await openDescriptors(pid)).filter((t) => t.startsWith(uploads)).length === before,
      5_000,
      "upload descriptors closed",
    );
    for (let i = 0; i < 30; i++) {
      const res = await putJob(w.url, `reset-${i}`, "x", { processor: "synthetic" });
      expect(res.status, `reset-${i}`).toBe(202);
      await res.arrayBuffer();
    }
  });

  it("a malformed chunked body is refused, and its job id stays free", async () => {
    const socket = await connectTls(w.url);
    const answer = answerOn(socket);
    socket.write(putHead("bad-chunks", { "transfer-encoding": "chunked" }));
    socket.write("5\r\nhello\r\nzz\r\nnot a chunk size\r\n");
    expect((await within(answer, 5_000, "an answer")).status).toBe(400);
    await eventually(
      async () => (await readdir(path.join(w.workDir, "uploads"))).length === 0,
      5_000,
      "cleanup",
    );
    const res = await putJob(w.url, "bad-chunks", "x", { processor: "synthetic" });
    expect(res.status).toBe(202);
  });
});

describe("upload deadlines", () => {
  it("an upload that stalls is cut after FANOUT_BODY_IDLE_TIMEOUT_SECONDS with 408 UPLOAD_TIMEOUT, and its job id is free again", async () => {
    const w = await spawnWorker({ FANOUT_BODY_IDLE_TIMEOUT_SECONDS: "1" });
    const socket = await connectTls(w.url);
    const answer = answerOn(socket);
    socket.write(putHead("stalled", { "content-length": 1_000_000 }));
    socket.write(Buffer.alloc(10));
    const { status, text } = await within(answer, 8_000, "the stalled upload's answer");
    expect(status).toBe(408);
    expect(text).toContain("UPLOAD_TIMEOUT");
    expect((await putJob(w.url, "stalled", "x", { processor: "synthetic" })).status).toBe(202);
    expect(await readdir(path.join(w.workDir, "uploads"))).toEqual([]);
    await w.kill();
  });

  it("an upload slower than FANOUT_MIN_UPLOAD_BYTES_PER_SECOND over a window is cut with 408", async () => {
    const w = await spawnWorker({
      FANOUT_MIN_UPLOAD_BYTES_PER_SECOND: "10000",
      FANOUT_UPLOAD_RATE_WINDOW_SECONDS: "1",
    });
    const socket = await connectTls(w.url);
    const answer = answerOn(socket);
    socket.write(putHead("crawl", { "content-length": 1_000_000 }));
    // 50 bytes/s: never idle long, always far below the floor.
    const drip = setInterval(() => socket.writable && socket.write(Buffer.alloc(10)), 200);
    try {
      const { status, text } = await within(answer, 8_000, "the crawling upload's answer");
      expect(status).toBe(408);
      expect(text).toMatch(/expected at least 10000 bytes\/s/);
    } finally {
      clearInterval(drip);
    }
    await w.kill();
  });

  it("a PUT that declares 1 MB, sends 10 bytes and stalls does not keep an idle worker alive", async () => {
    const w = await spawnWorker({
      FANOUT_IDLE_TIMEOUT_SECONDS: "2",
      FANOUT_BODY_IDLE_TIMEOUT_SECONDS: "600",
      FANOUT_MIN_UPLOAD_BYTES_PER_SECOND: "0",
    });
    const socket = await connectTls(w.url);
    socket.on("error", () => {});
    socket.write(putHead("half-open", { "content-length": 1_000_000 }));
    socket.write(Buffer.alloc(10));
    expect(await within(w.exited, 15_000, "idle exit")).toBe(0);
    expect(w.logs.find((e) => e.event === "worker.exiting")?.reason).toMatch(/idle/);
    socket.destroy();
  });
});

describe("caps", () => {
  it("a flood of connections that never finish their handshake or headers is bounded by FANOUT_MAX_CONNECTIONS and cut by FANOUT_HEADERS_TIMEOUT_SECONDS", async () => {
    const w = await spawnWorker({ FANOUT_MAX_CONNECTIONS: "8", FANOUT_HEADERS_TIMEOUT_SECONDS: "1" });
    const { hostname, port } = new URL(w.url);
    const started = Date.now();
    const closedAt: number[] = [];
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const s = net.connect({ host: hostname, port: Number(port) });
      s.on("error", () => {});
      s.once("close", () => closedAt.push(Date.now() - started));
      sockets.push(s);
    }
    // Past the cap, connections are dropped at once.
    await eventually(async () => closedAt.length >= 12, 2_000, "connections over the cap dropped");
    // The ones let in never complete a TLS handshake: cut after the headers deadline.
    await eventually(async () => closedAt.length === 20, 6_000, "silent connections cut");
    // Slow headers over a finished handshake are cut too.
    const slow = await Promise.all(Array.from({ length: 8 }, () => connectTls(w.url)));
    const answers = slow.map((s) => answerOn(s));
    for (const s of slow) s.write("GET /v1/health HTTP/1.1\r\nhost: worker\r\n");
    const results = await within(Promise.all(answers), 6_000, "slow-header connections cut");
    for (const r of results) expect([408, null]).toContain(r.status);
    expect(await json(await fetch(`${w.url}/v1/health`))).toEqual({ status: "ok" });
    await w.kill();
  });

  it("uploads beyond FANOUT_MAX_CONCURRENT_UPLOADS get 429 TOO_MANY_UPLOADS", async () => {
    const w = await spawnWorker({ FANOUT_MAX_CONCURRENT_UPLOADS: "2" });
    const held = await Promise.all([0, 1].map(() => connectTls(w.url)));
    held.forEach((s, i) => {
      s.write(putHead(`held-${i}`, { "content-length": 1000 }));
      s.write(Buffer.alloc(10));
    });
    await sleep(300);
    const refused = await putJob(w.url, "third", "x", { processor: "synthetic" });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("TOO_MANY_UPLOADS");
    for (const s of held) s.destroy();
    await eventually(
      async () => (await putJob(w.url, "third", "x", { processor: "synthetic" })).status === 202,
      5_000,
      "a free upload slot",
    );
    await w.kill();
  });
});

describe("the disk reserve", () => {
  // tmpfs: nobody else's writes move its free space while the test measures it.
  const shm = "/dev/shm";
  const MiB = 1024 ** 2;

  async function onShm(reserveBelowFree: number): Promise<SpawnedWorker> {
    const free = (await statfs(shm)).bavail * (await statfs(shm)).bsize;
    const workDir = path.join(
      shm,
      `fanout-worker-disk-${process.pid}-${Math.random().toString(36).slice(2)}`,
    );
    return spawnWorker({ FANOUT_WORK_DIR: workDir, FANOUT_MIN_FREE_BYTES: String(free - reserveBelowFree) });
  }

  it("two in-flight uploads that each fit alone but not together: the second gets 507", async (ctx) => {
    if (os.platform() !== "linux") ctx.skip();
    const w = await onShm(100 * MiB);
    const first = await connectTls(w.url);
    first.write(putHead("first", { "content-length": 60 * MiB }));
    first.write(Buffer.alloc(10));
    await sleep(300);
    const second = await putJob(w.url, "second", Buffer.alloc(10), { processor: "synthetic" }, {});
    expect(second.status).toBe(202);
    const socket = await connectTls(w.url);
    const answer = answerOn(socket);
    socket.write(putHead("third", { "content-length": 60 * MiB }));
    const { status, text } = await within(answer, 5_000, "an answer");
    expect(status).toBe(507);
    expect(text).toContain("INSUFFICIENT_STORAGE");
    first.destroy();
    await sleep(300);
    // The first upload's reservation went with it: the same upload now fits and is read.
    const again = await connectTls(w.url);
    let reply = "";
    again.on("data", (c: Buffer) => {
      reply += c.toString("latin1");
    });
    again.write(putHead("fourth", { "content-length": 60 * MiB }));
    again.write(Buffer.alloc(10));
    await sleep(500);
    expect(reply).toBe("");
    again.destroy();
    await w.kill();
  });

  it("a chunked upload reserves as it grows and fails with 507 once over, keeping nothing", async (ctx) => {
    if (os.platform() !== "linux") ctx.skip();
    const w = await onShm(20 * MiB);
    const socket = await connectTls(w.url);
    const answer = answerOn(socket);
    socket.write(putHead("growing", { "transfer-encoding": "chunked" }));
    const chunk = Buffer.alloc(256 * 1024);
    for (let sent = 0; sent < 40 * MiB && !socket.destroyed; sent += chunk.length) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      if (!socket.write("\r\n")) {
        await new Promise((r) => {
          socket.once("drain", r);
          socket.once("close", r);
        });
      }
    }
    const { status } = await within(answer, 10_000, "an answer");
    expect(status).toBe(507);
    expect((await jobStatus(w.url, "growing")).status).toBe(404);
    await eventually(
      async () => (await readdir(path.join(w.workDir, "uploads"))).length === 0,
      5_000,
      "cleanup",
    );
    await w.kill();
  });
});
