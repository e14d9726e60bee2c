/**
 * Black-box conformance with worker protocol v1 (docs/worker-protocol.md), sentence by
 * sentence: only the spawned bin, plain HTTP and its stdout are used.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  auth,
  killAll,
  putJob,
  rawRequest,
  type SpawnedWorker,
  sha256,
  spawnWorker,
  TOKEN,
  waitForJob,
} from "./helpers.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

afterAll(killAll);

type Json = Record<string, unknown>;

async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

function status(url: string, jobId: string, query = ""): Promise<Response> {
  return fetch(`${url}/v1/jobs/${jobId}${query}`, { headers: auth });
}

/** Polls (without long-poll) until `predicate` holds for the job's status. */
async function until(
  url: string,
  jobId: string,
  predicate: (s: Json) => boolean,
  ms = 10_000,
): Promise<Json> {
  const deadline = Date.now() + ms;
  for (;;) {
    const body = await json(await status(url, jobId));
    if (predicate(body)) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} never matched; last ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Spawns the bin directly, for starts that never log `worker.started`. */
function spawnRaw(env: Record<string, string>): {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number>;
} {
  const proc = spawn(process.execPath, ["--conditions=ecs-fanout-source", "--import", "tsx", bin], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number>((resolve) => proc.once("exit", (code) => resolve(code ?? -1)));
  return { proc, out: () => out, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)),
  ]);
}

/** A chunked upload with no content-length; resolves with the status once the worker answers. */
function chunkedPut(
  url: string,
  jobId: string,
  chunks: Buffer[],
  headers: Record<string, string>,
): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        method: "PUT",
        path: `/v1/jobs/${jobId}`,
        headers: { ...headers, "transfer-encoding": "chunked" },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    // The worker may answer and close before the whole body is sent; the answer counts.
    req.on("error", (error) => setTimeout(() => reject(error), 500));
    (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        req.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
      req.end();
    })();
  });
}

const params = (p: Json) => Buffer.from(JSON.stringify(p)).toString("base64url");

describe("one worker serving requests", () => {
  let w: SpawnedWorker;
  const routes: Array<[string, string]> = [
    ["GET", "/v1/info"],
    ["PUT", "/v1/jobs/auth-probe"],
    ["GET", "/v1/jobs/auth-probe"],
    ["GET", "/v1/jobs/auth-probe?waitSeconds=1"],
    ["GET", "/v1/jobs/auth-probe/output"],
    ["DELETE", "/v1/jobs/auth-probe"],
    ["POST", "/v1/drain"],
    ["POST", "/v1/shutdown"],
    ["POST", "/v1/shutdown?force=1"],
    ["GET", "/v1/unknown"],
  ];

  it("starts", async () => {
    w = await spawnWorker({ FANOUT_RUN_ID: "run-conformance", FANOUT_SLOTS: "1" });
  });

  it("GET /v1/health answers 200 {status:ok} without auth, and reveals nothing else", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }, auth]) {
      const res = await fetch(`${w.url}/v1/health`, { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    }
  });

  it.each([
    ["no authorization header", {}],
    ["a wrong bearer token", { authorization: "Bearer not-the-token" }],
    ["a token one character short", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    [
      "the right token with the Basic scheme",
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
    ],
    ["the bare token with no scheme", { authorization: TOKEN }],
  ])("every other route answers 401 to %s", async (_, headers: Record<string, string>) => {
    for (const [method, path] of routes) {
      const res = await fetch(`${w.url}${path}`, {
        method,
        headers,
        ...(method === "PUT" ? { body: "x" } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      await res.arrayBuffer();
    }
    // The refused drain/shutdown did nothing.
    expect(await json(await fetch(`${w.url}/v1/health`))).toEqual({ status: "ok" });
    expect(w.proc.exitCode).toBeNull();
  });

  it("GET /v1/info lists exactly worker{name,version}, runId, taskArn, processors, slots, busy, draining, uptimeSeconds", async () => {
    const res = await fetch(`${w.url}/v1/info`, { headers: auth });
    expect(res.status).toBe(200);
    const info = await json(res);
    expect(Object.keys(info).sort()).toEqual(
      ["worker", "runId", "taskArn", "processors", "slots", "busy", "draining", "uptimeSeconds"].sort(),
    );
    const worker = info.worker as Json;
    expect(Object.keys(worker).sort()).toEqual(["name", "version"]);
    expect(worker.name).toEqual(expect.any(String));
    expect(worker.version).toBe(pkg.version);
    expect(info.runId).toBe("run-conformance");
    expect(info.taskArn).toBeNull();
    expect(info.processors).toEqual(expect.arrayContaining(["ffmpeg-scale", "synthetic"]));
    expect(info.slots).toBe(1);
    expect(info.busy).toBe(0);
    expect(info.draining).toBe(false);
    expect(info.uptimeSeconds).toEqual(expect.any(Number));
    expect(info.uptimeSeconds as number).toBeGreaterThanOrEqual(0);
  });

  it("PUT answers 202 {jobId, status:queued}; GET gives the status fields; output carries its sha256", async () => {
    const res = await putJob(w.url, "job-1", "hello", { processor: "synthetic", bytes: 1000 });
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ jobId: "job-1", status: "queued" });
    const done = await waitForJob(w.url, "job-1");
    expect(done).toMatchObject({
      jobId: "job-1",
      status: "succeeded",
      progress: 1,
      output: {
        bytes: 1000,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        contentType: expect.any(String),
      },
      timings: expect.any(Object),
    });
    expect(done.error).toBeUndefined();
  });

  it("the same jobId with the same input is the existing job, not a second one", async () => {
    const first = await putJob(w.url, "idem", "same input", { processor: "synthetic", bytes: 10 });
    expect(first.status).toBe(202);
    await first.arrayBuffer();
    await waitForJob(w.url, "idem");
    for (const headers of [{}, { "x-content-sha256": sha256("same input") }] as Record<string, string>[]) {
      const again = await putJob(w.url, "idem", "same input", { processor: "synthetic", bytes: 10 }, headers);
      expect(again.status).toBe(202);
      // The existing job, already done: not queued again.
      expect(await json(again)).toMatchObject({ jobId: "idem", status: "succeeded" });
    }
    expect(w.logs.filter((e) => e.jobId === "idem" && /accept/.test(String(e.event)))).toHaveLength(1);
    expect(w.logs.filter((e) => e.jobId === "idem" && /start/.test(String(e.event)))).toHaveLength(1);
    // Another input under the same id is refused rather than silently mixed up.
    const other = await putJob(w.url, "idem", "other input", { processor: "synthetic", bytes: 10 });
    expect(other.status).toBeGreaterThanOrEqual(400);
    expect(other.status).toBeLessThan(500);
  });

  it("x-content-sha256 is checked: a matching one is accepted, a wrong one refused and nothing kept", async () => {
    const good = await putJob(
      w.url,
      "sha-ok",
      "abc",
      { processor: "synthetic" },
      { "x-content-sha256": sha256("abc") },
    );
    expect(good.status).toBe(202);
    const bad = await putJob(
      w.url,
      "sha-bad",
      "abc",
      { processor: "synthetic" },
      { "x-content-sha256": sha256("abd") },
    );
    expect(bad.status).toBe(400);
    expect((await status(w.url, "sha-bad")).status).toBe(404);
  });

  it("an unknown processor or undecodable x-fanout-params is a 400", async () => {
    expect((await putJob(w.url, "bad-proc", "x", { processor: "nope" })).status).toBe(400);
    const res = await fetch(`${w.url}/v1/jobs/bad-params`, {
      method: "PUT",
      headers: { ...auth, "x-fanout-params": "!!not base64url json!!" },
      body: "x",
    });
    expect(res.status).toBe(400);
  });

  it("the long poll returns as soon as the status changes, not on mere progress", async () => {
    // One slot: the second job stays queued until the first ends.
    await putJob(w.url, "lp-a", "a", { processor: "synthetic", ms: 700, progressSteps: 10 });
    await putJob(w.url, "lp-b", "b", { processor: "synthetic", ms: 700, progressSteps: 10 });
    await until(w.url, "lp-a", (s) => s.status === "running");
    const t0 = Date.now();
    const a = await json(await status(w.url, "lp-a", "?waitSeconds=10"));
    expect(a.status).toBe("succeeded");
    const b = await json(await status(w.url, "lp-b", "?waitSeconds=10"));
    expect(["running", "succeeded"]).toContain(b.status);
    expect(Date.now() - t0).toBeLessThan(5000);
    const b2 = await json(await status(w.url, "lp-b", `?waitSeconds=10`));
    expect(b2.status).toBe("succeeded");
  });

  it("the long poll gives up after N seconds when nothing changes, and a final job answers at once", async () => {
    await putJob(w.url, "lp-slow", "x", { processor: "synthetic", ms: 4000, progressSteps: 1 });
    await until(w.url, "lp-slow", (s) => s.status === "running");
    let t0 = Date.now();
    const s = await json(await status(w.url, "lp-slow", "?waitSeconds=1"));
    expect(s.status).toBe("running");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(3000);
    t0 = Date.now();
    // N above 60 is capped, not refused.
    const res = await status(w.url, "job-1", "?waitSeconds=600");
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("succeeded");
    expect(Date.now() - t0).toBeLessThan(1000);
    await fetch(`${w.url}/v1/jobs/lp-slow`, { method: "DELETE", headers: auth });
  });

  it("output before the job succeeded is a 409 (not a partial file)", async () => {
    await putJob(w.url, "early", "x", { processor: "synthetic", ms: 1500 });
    const res = await fetch(`${w.url}/v1/jobs/early/output`, { headers: auth });
    expect([404, 409]).toContain(res.status);
    await res.arrayBuffer();
    await fetch(`${w.url}/v1/jobs/early`, { method: "DELETE", headers: auth });
  });

  describe("output download", () => {
    let full: Buffer;
    let reported: Json;

    it("is streamed with content-length, x-content-sha256 and accept-ranges: bytes", async () => {
      await putJob(w.url, "dl", "input", { processor: "synthetic", bytes: 1000 });
      reported = (await waitForJob(w.url, "dl")).output as Json;
      const res = await fetch(`${w.url}/v1/jobs/dl/output`, { headers: auth });
      expect(res.status).toBe(200);
      full = Buffer.from(await res.arrayBuffer());
      expect(full.length).toBe(1000);
      expect(res.headers.get("content-length")).toBe("1000");
      expect(res.headers.get("x-content-sha256")).toBe(reported.sha256);
      expect(sha256(full)).toBe(reported.sha256);
      expect(res.headers.get("accept-ranges")).toBe("bytes");
      expect(res.headers.get("content-type")).toBe(reported.contentType);
    });

    it.each([
      ["bytes=0-9", 0, 9],
      ["bytes=990-", 990, 999],
      ["bytes=0-", 0, 999],
      ["bytes=-7", 993, 999],
      ["bytes=500-5000", 500, 999],
    ])("Range %s gives 206 with the matching content-range", async (range, start, end) => {
      const res = await fetch(`${w.url}/v1/jobs/dl/output`, { headers: { ...auth, range } });
      expect(res.status).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/1000`);
      expect(res.headers.get("content-length")).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(full.subarray(start, end + 1))).toBe(true);
    });

    it.each(["bytes=1000-", "bytes=2000-3000"])(
      "Range %s starting past the end is 416 naming the size",
      async (range) => {
        const res = await fetch(`${w.url}/v1/jobs/dl/output`, { headers: { ...auth, range } });
        expect(res.status).toBe(416);
        expect(res.headers.get("content-range")).toBe("bytes */1000");
        await res.arrayBuffer();
      },
    );

    it("HEAD gives the same headers and no body", async () => {
      const res = await rawRequest(w.url, { method: "HEAD", path: "/v1/jobs/dl/output", headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers["content-length"]).toBe("1000");
      expect(res.headers["x-content-sha256"]).toBe(reported.sha256);
      expect(res.body.length).toBe(0);
    });

    it("DELETE answers 204, then the job and its output are 404", async () => {
      const res = await fetch(`${w.url}/v1/jobs/dl`, { method: "DELETE", headers: auth });
      expect(res.status).toBe(204);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
      expect((await status(w.url, "dl")).status).toBe(404);
      expect((await fetch(`${w.url}/v1/jobs/dl/output`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${w.url}/v1/jobs/dl`, { method: "DELETE", headers: auth })).status).toBe(404);
    });
  });

  it("an unknown job is 404", async () => {
    expect((await status(w.url, "never-put")).status).toBe(404);
  });

  describe("job ids", () => {
    it("accept ^[A-Za-z0-9._-]{1,128}$, 128 characters included", async () => {
      for (const id of ["a", "A.b_c-9", "x".repeat(128), "...", ".a", "a.."]) {
        const res = await putJob(w.url, id, "x", { processor: "synthetic" });
        expect(res.status, id).toBe(202);
      }
    });

    it.each([
      [".", "/v1/jobs/."],
      ["..", "/v1/jobs/.."],
      ["%2e%2e", "/v1/jobs/%2e%2e"],
      ["%2E", "/v1/jobs/%2E"],
      ["129 characters", `/v1/jobs/${"x".repeat(129)}`],
      ["unicode", "/v1/jobs/caf%C3%A9"],
      ["an encoded slash", "/v1/jobs/a%2Fb"],
      ["an encoded traversal", "/v1/jobs/..%2F..%2Fetc"],
      ["a space", "/v1/jobs/a%20b"],
      ["a plus", "/v1/jobs/a+b"],
      ["a broken escape", "/v1/jobs/a%zz"],
      ["a colon", "/v1/jobs/a:b"],
    ])("refuse %s with 400 on PUT, GET, DELETE and output", async (_, path) => {
      for (const [method, p] of [
        ["PUT", path],
        ["GET", path],
        ["DELETE", path],
        ["GET", `${path}/output`],
      ] as const) {
        const res = await rawRequest(w.url, {
          method,
          path: p,
          headers: { ...auth, "x-fanout-params": params({ processor: "synthetic" }) },
          ...(method === "PUT" ? { body: Buffer.from("x") } : {}),
        });
        expect(res.status, `${method} ${p}`).toBe(400);
      }
    });

    it("a raw path traversal never reaches another route or file", async () => {
      for (const p of ["/v1/jobs/../info", "/v1/jobs/../../etc/passwd", "/v1/jobs/a/../../info"]) {
        const res = await rawRequest(w.url, { path: p, headers: auth });
        expect([400, 404], p).toContain(res.status);
      }
    });
  });

  it("a failing processor fails only its job, with a short message, and the worker goes on serving", async () => {
    await putJob(w.url, "fails", "x", { processor: "synthetic", fail: "the model ran out of memory" });
    const failed = await waitForJob(w.url, "fails");
    expect(failed.status).toBe("failed");
    const error = failed.error as Json;
    expect(error.code).toEqual(expect.any(String));
    expect(error.message).toContain("the model ran out of memory");
    expect(failed.output).toBeUndefined();
    expect((await fetch(`${w.url}/v1/jobs/fails/output`, { headers: auth })).status).toBeGreaterThanOrEqual(
      400,
    );

    // A non-video upload to ffmpeg-scale fails with ffmpeg's reason.
    await putJob(w.url, "not-video", "definitely not a video", { processor: "ffmpeg-scale" });
    const bad = await waitForJob(w.url, "not-video");
    expect(bad.status).toBe("failed");
    const message = (bad.error as Json).message as string;
    expect(message).toMatch(/invalid data/i);
    expect(message.length).toBeLessThan(2000);

    await putJob(w.url, "after-failure", "x", { processor: "synthetic", bytes: 5 });
    expect((await waitForJob(w.url, "after-failure")).status).toBe("succeeded");
  });

  it("logs one JSON line per event: accepted, started, progress every 10 %, finished and failed, with durations and byte counts", async () => {
    await putJob(w.url, "logged", "12345", {
      processor: "synthetic",
      ms: 300,
      bytes: 777,
      progressSteps: 10,
    });
    await waitForJob(w.url, "logged");
    const mine = w.logs.filter((e) => e.jobId === "logged");
    const accepted = mine.find((e) => /accept/.test(String(e.event)));
    expect(accepted).toMatchObject({ inputBytes: 5 });
    expect(mine.some((e) => /start/.test(String(e.event)))).toBe(true);
    const progress = mine.filter((e) => /progress/.test(String(e.event))).map((e) => e.progress as number);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    for (const p of progress) expect(Math.round(p * 10) / 10).toBeCloseTo(p, 6);
    expect(new Set(progress).size).toBe(progress.length);
    const finished = mine.find((e) => /succeed|finish/.test(String(e.event)));
    expect(finished).toMatchObject({ inputBytes: 5, outputBytes: 777, processMs: expect.any(Number) });
    const failed = w.logs.find((e) => e.jobId === "fails" && /fail/.test(String(e.event)));
    expect(failed).toMatchObject({ processMs: expect.any(Number), inputBytes: 1 });
    for (const e of w.logs) expect(e.ts).toEqual(expect.any(String));
  });

  it("POST /v1/drain stops new jobs; health says draining; existing jobs stay readable", async () => {
    const res = await fetch(`${w.url}/v1/drain`, { method: "POST", headers: auth });
    expect(res.ok).toBe(true);
    expect(await json(await fetch(`${w.url}/v1/health`))).toEqual({ status: "draining" });
    expect((await json(await fetch(`${w.url}/v1/info`, { headers: auth }))).draining).toBe(true);
    const put = await putJob(w.url, "after-drain", "x", { processor: "synthetic" });
    expect(put.status).toBe(503);
    expect((await status(w.url, "after-drain")).status).toBe(404);
    expect((await status(w.url, "job-1")).status).toBe(200);
    expect((await fetch(`${w.url}/v1/jobs/job-1/output`, { headers: auth })).status).toBe(200);
  });
});

describe("limits", () => {
  it("an input over FANOUT_MAX_INPUT_BYTES gets 413, by content-length or streamed in chunks", async () => {
    const w = await spawnWorker({ FANOUT_MAX_INPUT_BYTES: "1000" });
    const headers = { ...auth, "x-fanout-params": params({ processor: "synthetic" }) };
    expect((await putJob(w.url, "fits", Buffer.alloc(1000), { processor: "synthetic" })).status).toBe(202);
    expect((await putJob(w.url, "big", Buffer.alloc(1001), { processor: "synthetic" })).status).toBe(413);
    expect(await chunkedPut(w.url, "chunked-big", Array(8).fill(Buffer.alloc(300)), headers)).toBe(413);
    expect(await chunkedPut(w.url, "chunked-ok", [Buffer.alloc(500), Buffer.alloc(500)], headers)).toBe(202);
    expect((await status(w.url, "big")).status).toBe(404);
    expect((await status(w.url, "chunked-big")).status).toBe(404);
    expect((await fetch(`${w.url}/v1/health`)).status).toBe(200);
    await w.kill();
  });

  it("no room on disk gets 507", async () => {
    const w = await spawnWorker({ FANOUT_MIN_FREE_BYTES: String(2 ** 52) });
    const res = await putJob(w.url, "no-room", "x", { processor: "synthetic" });
    expect(res.status).toBe(507);
    expect((await status(w.url, "no-room")).status).toBe(404);
    await w.kill();
  });

  it("synthetic exists only with FANOUT_ENABLE_SYNTHETIC=1; otherwise it is an unknown processor (400)", async () => {
    const w = await spawnWorker({ FANOUT_ENABLE_SYNTHETIC: "0" });
    const info = await json(await fetch(`${w.url}/v1/info`, { headers: auth }));
    expect(info.processors).not.toContain("synthetic");
    expect(info.processors).toContain("ffmpeg-scale");
    expect((await putJob(w.url, "s", "x", { processor: "synthetic" })).status).toBe(400);
    await w.kill();
  });
});

describe("start-up", () => {
  it("refuses to start without FANOUT_TOKEN", async () => {
    const r = spawnRaw({ HOST: "127.0.0.1", PORT: "0" });
    const code = await within(r.exited, 15_000, "exit");
    expect(code).not.toBe(0);
    expect(r.out()).toMatch(/FANOUT_TOKEN/);
    expect(r.out()).not.toMatch(/worker\.started/);
  });

  it("starts without a token when FANOUT_INSECURE_NO_AUTH=1, and then needs none", async () => {
    const w = await spawnWorker({ FANOUT_TOKEN: "", FANOUT_INSECURE_NO_AUTH: "1" });
    expect((await fetch(`${w.url}/v1/info`)).status).toBe(200);
    await w.kill();
  });

  // HOST's default (0.0.0.0, as a container needs) is checked by loadWorkerConfig's unit test:
  // test servers here listen on loopback only.
  it("listens on PORT 8080 by default", async (ctx) => {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(8080, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (!free) ctx.skip();
    // spawn() leaves out variables whose value is undefined.
    const w = await spawnWorker({ HOST: "127.0.0.1", PORT: undefined as unknown as string });
    expect(w.url).toMatch(/:8080$/);
    const started = w.logs.find((e) => e.event === "worker.started");
    expect(started).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect((await fetch("http://127.0.0.1:8080/v1/health")).status).toBe(200);
    await w.kill();
  });

  it("reads its task ARN from ECS_CONTAINER_METADATA_URI_V4 + /task", async () => {
    const arn = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef";
    const seen: string[] = [];
    const meta = http.createServer((req, res) => {
      seen.push(req.url ?? "");
      res.writeHead(req.url === "/v4/abc/task" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ TaskARN: arn, Cluster: "default" }));
    });
    await new Promise<void>((r) => meta.listen(0, "127.0.0.1", r));
    const { port } = meta.address() as net.AddressInfo;
    try {
      const w = await spawnWorker({ ECS_CONTAINER_METADATA_URI_V4: `http://127.0.0.1:${port}/v4/abc` });
      expect(seen).toContain("/v4/abc/task");
      expect((await json(await fetch(`${w.url}/v1/info`, { headers: auth }))).taskArn).toBe(arn);
      await w.kill();
    } finally {
      meta.close();
    }
  });
});

describe("exits", () => {
  it("POST /v1/shutdown exits 0 once the in-flight job ends", async () => {
    const w = await spawnWorker();
    await putJob(w.url, "inflight", "x", { processor: "synthetic", ms: 800 });
    const res = await fetch(`${w.url}/v1/shutdown`, { method: "POST", headers: auth });
    expect(res.ok).toBe(true);
    const t0 = Date.now();
    expect(await within(w.exited, 10_000, "exit")).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(w.logs.some((e) => e.jobId === "inflight" && /succeed|finish/.test(String(e.event)))).toBe(true);
  });

  it("POST /v1/shutdown with nothing in flight exits 0 at once, and SIGTERM on an idle worker too", async () => {
    const a = await spawnWorker();
    expect((await fetch(`${a.url}/v1/shutdown`, { method: "POST", headers: auth })).ok).toBe(true);
    expect(await within(a.exited, 3_000, "exit")).toBe(0);
    const b = await spawnWorker();
    b.proc.kill("SIGTERM");
    expect(await within(b.exited, 3_000, "exit")).toBe(0);
  });

  it("POST /v1/shutdown?force=1 exits 0 now", async () => {
    const w = await spawnWorker();
    await putJob(w.url, "long", "x", { processor: "synthetic", ms: 30_000 });
    const t0 = Date.now();
    expect((await fetch(`${w.url}/v1/shutdown?force=1`, { method: "POST", headers: auth })).ok).toBe(true);
    expect(await within(w.exited, 5_000, "exit")).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("SIGTERM drains (health says so, new jobs refused) and exits 0 when in-flight work ends", async () => {
    const w = await spawnWorker();
    await putJob(w.url, "term", "x", { processor: "synthetic", ms: 1000 });
    await until(w.url, "term", (s) => s.status === "running");
    w.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 150));
    expect(await json(await fetch(`${w.url}/v1/health`))).toEqual({ status: "draining" });
    expect((await putJob(w.url, "late", "x", { processor: "synthetic" })).status).toBe(503);
    expect(w.proc.exitCode).toBeNull();
    expect(await within(w.exited, 10_000, "exit")).toBe(0);
    expect(w.logs.some((e) => e.jobId === "term" && /succeed|finish/.test(String(e.event)))).toBe(true);
  });

  it("SIGTERM exits before the stop timeout even when work is still running", async () => {
    const w = await spawnWorker({ FANOUT_STOP_TIMEOUT_SECONDS: "2" });
    await putJob(w.url, "endless", "x", { processor: "synthetic", ms: 60_000 });
    const t0 = Date.now();
    w.proc.kill("SIGTERM");
    await within(w.exited, 4_000, "exit");
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("exits by itself after FANOUT_IDLE_TIMEOUT_SECONDS without an authenticated request; health does not count", async () => {
    const w = await spawnWorker({ FANOUT_IDLE_TIMEOUT_SECONDS: "1" });
    const t0 = Date.now();
    const poll = setInterval(() => void fetch(`${w.url}/v1/health`).catch(() => {}), 150);
    const bad = setInterval(() => void fetch(`${w.url}/v1/info`).catch(() => {}), 150);
    try {
      expect(await within(w.exited, 5_000, "idle exit")).toBe(0);
    } finally {
      clearInterval(poll);
      clearInterval(bad);
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it("an authenticated request resets the idle timer", async () => {
    const w = await spawnWorker({ FANOUT_IDLE_TIMEOUT_SECONDS: "1" });
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 400));
      expect((await fetch(`${w.url}/v1/info`, { headers: auth })).status).toBe(200);
    }
    expect(w.proc.exitCode).toBeNull();
    const t0 = Date.now();
    expect(await within(w.exited, 5_000, "idle exit")).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
  });

  it("exits after FANOUT_MAX_LIFETIME_SECONDS even while it is being talked to", async () => {
    const w = await spawnWorker({ FANOUT_MAX_LIFETIME_SECONDS: "2" });
    const keep = setInterval(() => void fetch(`${w.url}/v1/info`, { headers: auth }).catch(() => {}), 200);
    try {
      expect(await within(w.exited, 6_000, "lifetime exit")).toBe(0);
    } finally {
      clearInterval(keep);
    }
  });
});
