/**
 * Black-box conformance with docs/worker-protocol.md, route by route: only the spawned bin,
 * HTTPS pinned to a throwaway certificate, and its stdout are used. The timers (idle exit,
 * lifetime, stop deadline) are tested in-process with fake timers in lifecycle-timers.test.ts;
 * hostile clients and media in hostile-network.test.ts and hostile-media.test.ts.
 */
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeParams, syntheticBytes } from "../src/index.js";
import {
  auth,
  connectTls,
  fetch,
  jobStatus,
  json,
  killAll,
  putHead,
  putJob,
  rawRequest,
  SECURE_ENV,
  type SpawnedWorker,
  sha256,
  spawnBin,
  spawnWorker,
  TOKEN,
  until,
  waitForJob,
  within,
} from "./helpers.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const expectedSynthetic = (seed: string, bytes: number) => Buffer.concat([...syntheticBytes(seed, bytes)]);

afterAll(killAll);

/** A chunked upload over pinned TLS; resolves with the status once the worker answers. */
async function chunkedPut(url: string, jobId: string, chunks: Buffer[]): Promise<number> {
  const socket = await connectTls(url);
  socket.write(putHead(jobId, { "transfer-encoding": "chunked" }));
  const answered = new Promise<number>((resolve, reject) => {
    let head = "";
    socket.on("data", (c: Buffer) => {
      head += c.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) resolve(Number(m[1]));
    });
    socket.once("close", () => reject(new Error(`closed without an answer: ${head}`)));
    socket.on("error", () => {});
  });
  for (const chunk of chunks) {
    if (socket.destroyed) break;
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write("\r\n");
    await new Promise((r) => setTimeout(r, 5));
  }
  if (!socket.destroyed) socket.write("0\r\n\r\n");
  try {
    return await within(answered, 10_000, "an answer to the chunked upload");
  } finally {
    socket.destroy();
  }
}

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

  beforeAll(async () => {
    w = await spawnWorker({
      FANOUT_RUN_ID: "run-conformance",
      FANOUT_SLOTS: "2",
      FANOUT_MAX_INPUT_BYTES: "100000",
    });
  });

  it("serves HTTPS only: a plain-HTTP request gets no answer", async () => {
    expect(w.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { port } = new URL(w.url);
    const plain = await new Promise<string>((resolve) => {
      http
        .get({ host: "127.0.0.1", port, path: "/v1/health" }, (res) => resolve(`status ${res.statusCode}`))
        .on("error", (e) => resolve(e.message));
    });
    expect(plain).not.toMatch(/^status 200/);
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
    ["the token's SHA-256 instead of the token", { authorization: `Bearer ${sha256(TOKEN)}` }],
    [
      "the right token with the Basic scheme",
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
    ],
    ["the bare token with no scheme", { authorization: TOKEN }],
  ])("every other route answers 401 UNAUTHORIZED to %s", async (_, headers: Record<string, string>) => {
    for (const [method, path] of routes) {
      const res = await fetch(`${w.url}${path}`, {
        method,
        headers,
        ...(method === "PUT" ? { body: "x" } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="ecs-fanout"');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
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
    expect(info).toMatchObject({
      worker: { name: "@ecs-fanout/worker", version: pkg.version },
      runId: "run-conformance",
      taskArn: null,
      processors: ["ffmpeg-scale", "synthetic"],
      slots: 2,
      busy: 0,
      draining: false,
    });
    expect(info.uptimeSeconds as number).toBeGreaterThanOrEqual(0);
  });

  it("PUT answers 202 queued; the job reports progress and serves deterministic output with its sha256", async () => {
    const input = Buffer.from("hello synthetic");
    const res = await putJob(
      w.url,
      "job-1",
      input,
      { processor: "synthetic", ms: 300, bytes: 5000 },
      { "x-content-sha256": sha256(input) },
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ jobId: "job-1", status: "queued" });
    const done = await waitForJob(w.url, "job-1");
    const expected = expectedSynthetic("job-1", 5000);
    expect(done).toMatchObject({
      status: "succeeded",
      progress: 1,
      output: { bytes: 5000, sha256: sha256(expected), contentType: "application/octet-stream" },
      input: { bytes: input.length, sha256: sha256(input) },
    });
    expect(done.error).toBeUndefined();
    expect((done.timings as Record<string, number>).processMs).toBeGreaterThanOrEqual(250);

    const out = await fetch(`${w.url}/v1/jobs/job-1/output`, { headers: auth });
    expect(out.status).toBe(200);
    expect(out.headers.get("content-length")).toBe("5000");
    expect(out.headers.get("accept-ranges")).toBe("bytes");
    expect(out.headers.get("x-content-sha256")).toBe(sha256(expected));
    expect(Buffer.from(await out.arrayBuffer()).equals(expected)).toBe(true);

    const mine = w.logs.filter((e) => e.jobId === "job-1");
    expect(mine.filter((e) => e.event === "job.progress").map((e) => e.progress)).toEqual([
      0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
    ]);
    expect(mine.find((e) => e.event === "job.accepted")).toMatchObject({ inputBytes: input.length });
    expect(mine.find((e) => e.event === "job.started")).toBeTruthy();
    expect(mine.find((e) => e.event === "job.succeeded")).toMatchObject({
      inputBytes: input.length,
      outputBytes: 5000,
      processMs: expect.any(Number),
    });
    for (const e of w.logs) expect(e.ts).toEqual(expect.any(String));
  });

  it("the same job id with the same input is the existing job, with another input 409 JOB_CONFLICT", async () => {
    const body = Buffer.from("same input");
    expect((await putJob(w.url, "idem", body, { processor: "synthetic", bytes: 10 })).status).toBe(202);
    await waitForJob(w.url, "idem");
    for (const headers of [{}, { "x-content-sha256": sha256(body) }] as Record<string, string>[]) {
      const again = await putJob(w.url, "idem", body, { processor: "synthetic", bytes: 10 }, headers);
      expect(again.status).toBe(202);
      expect(await json(again)).toMatchObject({ jobId: "idem", status: "succeeded" });
    }
    expect(w.logs.filter((e) => e.jobId === "idem" && e.event === "job.accepted")).toHaveLength(1);
    expect(w.logs.filter((e) => e.jobId === "idem" && e.event === "job.started")).toHaveLength(1);
    const other = await putJob(w.url, "idem", "different input", { processor: "synthetic" });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("JOB_CONFLICT");
  });

  it("a body whose sha256 differs from x-content-sha256 is 400 SHA256_MISMATCH, and nothing is kept", async () => {
    const res = await putJob(
      w.url,
      "bad-sha",
      "payload",
      { processor: "synthetic" },
      {
        "x-content-sha256": sha256("something else"),
      },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SHA256_MISMATCH");
    expect((await jobStatus(w.url, "bad-sha")).status).toBe(404);
    expect(await readdir(`${w.workDir}/uploads`)).toEqual([]);
  });

  it("reports every problem of x-fanout-params in one 400, each named by its path", async () => {
    const res = await putJob(w.url, "bad-params", "x", {
      processor: "ffmpeg-scale",
      scale: 5,
      crf: "high",
      preset: "warp",
      presett: "fast",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; problems: string[] } };
    expect(body.error.code).toBe("INVALID_PARAMS");
    expect(body.error.problems).toEqual([
      "scale: expected 2 or 3 or 4, got 5",
      'crf: expected an integer from 0 to 51, got "high"',
      'preset: expected one of "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", got "warp"',
      'presett: expected a known key (did you mean "preset"?), got "presett"',
    ]);
  });

  it.each([
    ["an unknown processor", encodeParams({ processor: "magic" }), /processor: expected one of/],
    [
      "a processor not enabled here",
      encodeParams({ processor: "seedvr2" }),
      /enabled on this worker.*FANOUT_SEEDVR2_CMD/,
    ],
    ["a header that is not base64url", "%%%", /expected base64url/],
    ["base64url that is not JSON", Buffer.from("{nope").toString("base64url"), /expected base64url JSON/],
    ["JSON that is not an object", Buffer.from("[1]").toString("base64url"), /expected a JSON object/],
    [
      "synthetic options of the wrong types, nested included",
      encodeParams({ processor: "synthetic", ms: -1, faults: { corruptOutput: "yes", typo: 1 } }),
      /ms: expected an integer.*faults\.corruptOutput: expected true or false.*faults\.typo: expected a known key/,
    ],
  ])("answers 400 INVALID_PARAMS for %s", async (_name, header, message) => {
    const res = await fetch(`${w.url}/v1/jobs/params-case`, {
      method: "PUT",
      headers: { ...auth, "x-fanout-params": header },
      body: "x",
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("INVALID_PARAMS");
    expect(error.message).toMatch(message);
  });

  it("the long poll returns as soon as the status changes, not on mere progress, and refuses a bad waitSeconds", async () => {
    await putJob(w.url, "lp-a", "a", { processor: "synthetic", ms: 600, progressSteps: 10 });
    await until(w.url, "lp-a", (s) => s.status === "running");
    const t0 = Date.now();
    expect((await json(await jobStatus(w.url, "lp-a", "?waitSeconds=30"))).status).toBe("succeeded");
    expect(Date.now() - t0).toBeLessThan(5_000);
    const bad = await jobStatus(w.url, "lp-a", "?waitSeconds=soon");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("INVALID_WAIT");
  });

  it("the long poll gives up after N seconds when nothing changes, and a final job answers at once", async () => {
    await putJob(w.url, "lp-slow", "x", { processor: "synthetic", ms: 5_000, progressSteps: 1 });
    await until(w.url, "lp-slow", (s) => s.status === "running");
    let t0 = Date.now();
    expect((await json(await jobStatus(w.url, "lp-slow", "?waitSeconds=1"))).status).toBe("running");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    t0 = Date.now();
    // N above 60 is capped, not refused.
    const res = await jobStatus(w.url, "job-1", "?waitSeconds=600");
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("succeeded");
    expect(Date.now() - t0).toBeLessThan(1_000);
    await fetch(`${w.url}/v1/jobs/lp-slow`, { method: "DELETE", headers: auth });
  });

  it("the output of a job that has not succeeded is 409 OUTPUT_NOT_READY; unknown routes 404, wrong methods 405", async () => {
    await putJob(w.url, "not-yet", "x", { processor: "synthetic", ms: 2_000 });
    const early = await fetch(`${w.url}/v1/jobs/not-yet/output`, { headers: auth });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe("OUTPUT_NOT_READY");
    expect((await fetch(`${w.url}/v2/anything`, { headers: auth })).status).toBe(404);
    const post = await fetch(`${w.url}/v1/jobs/not-yet`, { method: "POST", headers: auth });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("PUT, GET, DELETE");
    expect((await jobStatus(w.url, "never-put")).status).toBe(404);
    await fetch(`${w.url}/v1/jobs/not-yet`, { method: "DELETE", headers: auth });
  });

  describe("output download", () => {
    const full = expectedSynthetic("r", 1000);

    beforeAll(async () => {
      await putJob(w.url, "dl", "input", { processor: "synthetic", bytes: 1000, seed: "r" });
      await waitForJob(w.url, "dl");
    });

    it.each([
      ["bytes=0-9", 0, 9],
      ["bytes=990-", 990, 999],
      ["bytes=400-", 400, 999],
      ["bytes=-7", 993, 999],
      ["bytes=500-5000", 500, 999],
      ["Bytes=10-19", 10, 19],
    ])("Range %s gives 206 with the matching content-range and bytes", async (range, start, end) => {
      const res = await fetch(`${w.url}/v1/jobs/dl/output`, { headers: { ...auth, range } });
      expect(res.status).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/1000`);
      expect(res.headers.get("content-length")).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(full.subarray(start, end + 1))).toBe(true);
    });

    it.each(["bytes=1000-", "bytes=2000-3000", "bytes=5-2", "bytes=abc"])(
      "Range %s is 416 RANGE_NOT_SATISFIABLE naming the size",
      async (range) => {
        const res = await fetch(`${w.url}/v1/jobs/dl/output`, { headers: { ...auth, range } });
        expect(res.status).toBe(416);
        expect(res.headers.get("content-range")).toBe("bytes */1000");
        await res.arrayBuffer();
      },
    );

    it.each(["items=0-5", "lines=0-1", "bytes=0-1,5-6"])(
      "Range %s (an unknown unit, or several ranges) is ignored: 200 with the whole body",
      async (range) => {
        const res = await fetch(`${w.url}/v1/jobs/dl/output`, { headers: { ...auth, range } });
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(full)).toBe(true);
      },
    );

    it("HEAD gives the same headers and no body", async () => {
      const res = await rawRequest(w.url, { method: "HEAD", path: "/v1/jobs/dl/output", headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers["content-length"]).toBe("1000");
      expect(res.headers["x-content-sha256"]).toBe(sha256(full));
      expect(res.body.length).toBe(0);
    });

    it("DELETE answers 204 and frees the job's folder; then the job and its output are 404", async () => {
      const res = await fetch(`${w.url}/v1/jobs/dl`, { method: "DELETE", headers: auth });
      expect(res.status).toBe(204);
      expect(await readdir(`${w.workDir}/jobs`)).not.toContain("dl");
      expect((await jobStatus(w.url, "dl")).status).toBe(404);
      expect((await fetch(`${w.url}/v1/jobs/dl/output`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${w.url}/v1/jobs/dl`, { method: "DELETE", headers: auth })).status).toBe(404);
    });
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
      ["an encoded backslash", "/v1/jobs/a%5Cb"],
      ["an encoded traversal", "/v1/jobs/..%2F..%2Fetc"],
      ["a space", "/v1/jobs/a%20b"],
      ["a plus", "/v1/jobs/a+b"],
      ["a broken escape", "/v1/jobs/a%zz"],
      ["a colon", "/v1/jobs/a:b"],
      ["an empty id", "/v1/jobs/"],
    ])("refuse %s with 400 INVALID_JOB_ID on PUT, GET, DELETE and output", async (_, path) => {
      for (const [method, p] of [
        ["PUT", path],
        ["GET", path],
        ["DELETE", path],
        ["GET", `${path}/output`],
      ] as const) {
        const res = await rawRequest(w.url, {
          method,
          path: p,
          headers: { ...auth, "x-fanout-params": encodeParams({ processor: "synthetic" }) },
          ...(method === "PUT" ? { body: Buffer.from("x") } : {}),
        });
        expect(res.status, `${method} ${p}`).toBe(400);
        expect(JSON.parse(res.body.toString()).error.code).toBe("INVALID_JOB_ID");
      }
    });

    it("a raw path traversal never reaches another route or file", async () => {
      for (const p of ["/v1/jobs/../info", "/v1/jobs/../../etc/passwd", "/v1/jobs/a/../../info"]) {
        const res = await rawRequest(w.url, { path: p, headers: auth });
        expect([400, 404], p).toContain(res.status);
      }
    });
  });

  it("a failing processor fails only its job, with its message, and the worker goes on serving", async () => {
    await putJob(w.url, "doomed", "x", { processor: "synthetic", fail: "GPU fell off the bus" });
    expect(await waitForJob(w.url, "doomed")).toMatchObject({
      status: "failed",
      error: { code: "SYNTHETIC_FAILURE", message: "GPU fell off the bus" },
    });
    expect(w.logs.find((e) => e.event === "job.failed" && e.jobId === "doomed")).toMatchObject({
      level: "error",
      error: { code: "SYNTHETIC_FAILURE" },
      processMs: expect.any(Number),
      inputBytes: 1,
    });
    expect((await fetch(`${w.url}/v1/jobs/doomed/output`, { headers: auth })).status).toBe(409);
    await putJob(w.url, "after-doom", "x", { processor: "synthetic", bytes: 3 });
    expect(await waitForJob(w.url, "after-doom")).toMatchObject({ status: "succeeded" });
  });

  it("fault truncateDownloadAfterBytes cuts the first download only; a Range request resumes it", async () => {
    await putJob(w.url, "cut", "x", {
      processor: "synthetic",
      bytes: 200_000,
      faults: { truncateDownloadAfterBytes: 70_000 },
    });
    await waitForJob(w.url, "cut");
    const socket = await connectTls(w.url);
    socket.write(
      `GET /v1/jobs/cut/output HTTP/1.1\r\nhost: worker\r\nauthorization: ${auth.authorization}\r\n\r\n`,
    );
    const raw = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on("data", (c: Buffer) => chunks.push(c));
      socket.on("error", () => {});
      socket.on("close", () => resolve(Buffer.concat(chunks)));
    });
    const received = raw.subarray(raw.indexOf("\r\n\r\n") + 4);
    expect(received.length).toBe(70_000);
    const rest = await fetch(`${w.url}/v1/jobs/cut/output`, { headers: { ...auth, range: "bytes=70000-" } });
    expect(rest.status).toBe(206);
    const whole = Buffer.concat([received, Buffer.from(await rest.arrayBuffer())]);
    expect(sha256(whole)).toBe(sha256(expectedSynthetic("cut", 200_000)));
  });

  it("fault corruptOutput serves bytes that do not match the reported sha256", async () => {
    await putJob(w.url, "corrupt", "x", {
      processor: "synthetic",
      bytes: 64,
      faults: { corruptOutput: true },
    });
    await waitForJob(w.url, "corrupt");
    const res = await fetch(`${w.url}/v1/jobs/corrupt/output`, { headers: auth });
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(64);
    expect(res.headers.get("x-content-sha256")).toBe(sha256(expectedSynthetic("corrupt", 64)));
    expect(sha256(body)).not.toBe(res.headers.get("x-content-sha256"));
  });

  it("an input over FANOUT_MAX_INPUT_BYTES is 413 INPUT_TOO_LARGE, by content-length or streamed in chunks, and nothing is kept", async () => {
    expect((await putJob(w.url, "fits", Buffer.alloc(100_000), { processor: "synthetic" })).status).toBe(202);
    const big = await putJob(w.url, "big", Buffer.alloc(100_001), { processor: "synthetic" });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe("INPUT_TOO_LARGE");
    expect(await chunkedPut(w.url, "chunked-big", Array(30).fill(Buffer.alloc(10_000)))).toBe(413);
    expect(await chunkedPut(w.url, "chunked-ok", [Buffer.alloc(500), Buffer.alloc(500)])).toBe(202);
    expect((await jobStatus(w.url, "big")).status).toBe(404);
    expect((await jobStatus(w.url, "chunked-big")).status).toBe(404);
    expect(await readdir(`${w.workDir}/uploads`)).toEqual([]);
  });

  it("POST /v1/drain stops new jobs (503 DRAINING); health says draining; existing jobs finish and stay readable", async () => {
    await putJob(w.url, "before-drain", "x", { processor: "synthetic", ms: 300 });
    const res = await fetch(`${w.url}/v1/drain`, { method: "POST", headers: auth });
    expect(res.status).toBe(200);
    expect(await json(await fetch(`${w.url}/v1/health`))).toEqual({ status: "draining" });
    expect((await json(await fetch(`${w.url}/v1/info`, { headers: auth }))).draining).toBe(true);
    const put = await putJob(w.url, "after-drain", "x", { processor: "synthetic" });
    expect(put.status).toBe(503);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe("DRAINING");
    expect((await jobStatus(w.url, "after-drain")).status).toBe(404);
    expect(await waitForJob(w.url, "before-drain")).toMatchObject({ status: "succeeded" });
    expect((await fetch(`${w.url}/v1/jobs/job-1/output`, { headers: auth })).status).toBe(200);
  });
});

describe("limits", () => {
  it("no room on disk gets 507 INSUFFICIENT_STORAGE, before the body is read", async () => {
    const w = await spawnWorker({ FANOUT_MIN_FREE_BYTES: String(2 ** 52) });
    const res = await putJob(w.url, "no-room", "x", { processor: "synthetic" });
    expect(res.status).toBe(507);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INSUFFICIENT_STORAGE");
    expect((await jobStatus(w.url, "no-room")).status).toBe(404);
    await w.kill();
  });

  it("synthetic exists only with FANOUT_ENABLE_SYNTHETIC=1; otherwise it is a 400", async () => {
    const w = await spawnWorker({ FANOUT_ENABLE_SYNTHETIC: "0" });
    const info = await json(await fetch(`${w.url}/v1/info`, { headers: auth }));
    expect(info.processors).toEqual(["ffmpeg-scale"]);
    expect((await putJob(w.url, "s", "x", { processor: "synthetic" })).status).toBe(400);
    await w.kill();
  });
});

/** Runs the bin to its exit (it must not start); everything it printed. */
async function refusedStart(
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; out: string }> {
  const proc = spawnBin({ HOST: "127.0.0.1", PORT: "0", ...env });
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const code = await within(
    new Promise<number | null>((resolve) => proc.once("exit", resolve)),
    20_000,
    "the refused start's exit",
  );
  return { code, out };
}

describe("start-up", () => {
  it.each([
    [
      "no TLS material",
      { FANOUT_TOKEN_SHA256: sha256(TOKEN) },
      /FANOUT_TLS_CERT: expected base64 of a PEM certificate/,
    ],
    [
      "no token hash",
      { ...SECURE_ENV, FANOUT_TOKEN_SHA256: undefined },
      /FANOUT_TOKEN_SHA256: expected the bearer token's SHA-256/,
    ],
    ["the plain token", { ...SECURE_ENV, FANOUT_TOKEN: TOKEN }, /FANOUT_TOKEN: expected no FANOUT_TOKEN/],
    [
      "an unknown FANOUT_ variable",
      { ...SECURE_ENV, FANOUT_SLOT: "2" },
      /FANOUT_SLOT: expected a known key \(did you mean "FANOUT_SLOTS"\?\)/,
    ],
    [
      "a bad value",
      { ...SECURE_ENV, FANOUT_MAX_CONNECTIONS: "lots" },
      /FANOUT_MAX_CONNECTIONS: expected an integer from 1 to 100000, got "lots"/,
    ],
  ])(
    "refuses to start with %s: exit code 2, the problem named, nothing listening",
    async (_, env, problem) => {
      const { code, out } = await refusedStart(env);
      expect(code).toBe(2);
      expect(out).toMatch(problem);
      expect(out).toContain("worker.config.invalid");
      expect(out).not.toContain("worker.started");
      expect(out).not.toContain(TOKEN);
    },
  );

  it("serves plain HTTP only with FANOUT_INSECURE_PLAIN_HTTP=1, and no auth only with FANOUT_INSECURE_NO_AUTH=1", async () => {
    const w = await spawnWorker({
      FANOUT_TLS_CERT: undefined,
      FANOUT_TLS_KEY: undefined,
      FANOUT_TOKEN_SHA256: undefined,
      FANOUT_INSECURE_PLAIN_HTTP: "1",
      FANOUT_INSECURE_NO_AUTH: "1",
    });
    expect(w.url).toMatch(/^http:\/\//);
    expect(w.logs.find((e) => e.event === "worker.started")).toMatchObject({
      transport: "http",
      auth: "disabled",
    });
    const res = await globalThis.fetch(`${w.url}/v1/info`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await w.kill();
  });

  it("listens on PORT 8080 by default", async (ctx) => {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(8080, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (!free) ctx.skip();
    const w = await spawnWorker({ PORT: undefined });
    expect(w.url).toBe("https://127.0.0.1:8080");
    expect(w.logs.find((e) => e.event === "worker.started")).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect((await fetch("https://127.0.0.1:8080/v1/health")).status).toBe(200);
    await w.kill();
  });

  it("reads its task ARN from the metadata endpoint, retrying a refusal, then in the background, and shows it with the run id", async () => {
    const arn = "arn:aws:ecs:us-east-1:000000000000:task/default/fedcba9876543210";
    let hits = 0;
    // Six refusals: more than the start-up lookup's four attempts.
    const meta = http.createServer((req, res) => {
      hits++;
      if (req.url !== "/v4/abc/task" || hits <= 6) return void res.writeHead(503).end();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ TaskARN: arn, Cluster: "default" }));
    });
    await new Promise<void>((r) => meta.listen(0, "127.0.0.1", r));
    const { port } = meta.address() as net.AddressInfo;
    try {
      const w = await spawnWorker({
        ECS_CONTAINER_METADATA_URI_V4: `http://127.0.0.1:${port}/v4/abc`,
        FANOUT_RUN_ID: "run-7",
      });
      expect(await json(await fetch(`${w.url}/v1/info`, { headers: auth }))).toMatchObject({
        taskArn: null,
        runId: "run-7",
      });
      expect(w.logs.filter((e) => e.event === "worker.metadata.retry").length).toBeGreaterThanOrEqual(3);
      await w.waitForLog("worker.metadata.found");
      expect((await json(await fetch(`${w.url}/v1/info`, { headers: auth }))).taskArn).toBe(arn);
      await w.kill();
    } finally {
      meta.close();
    }
  });
});

describe("exits", () => {
  it("POST /v1/shutdown waits for the in-flight job, then exits 0", async () => {
    const w = await spawnWorker();
    await putJob(w.url, "last", "x", { processor: "synthetic", ms: 800 });
    const res = await fetch(`${w.url}/v1/shutdown`, { method: "POST", headers: auth });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ shuttingDown: true, force: false });
    expect(await within(w.exited, 10_000, "exit")).toBe(0);
    const order = w.logs.map((e) => e.event);
    expect(order.indexOf("job.succeeded")).toBeLessThan(order.indexOf("worker.exiting"));
  });

  it("POST /v1/shutdown?force=1 exits 0 at once, abandoning the running job", async () => {
    const w = await spawnWorker();
    await putJob(w.url, "long", "x", { processor: "synthetic", ms: 30_000 });
    expect((await fetch(`${w.url}/v1/shutdown?force=1`, { method: "POST", headers: auth })).status).toBe(202);
    expect(await within(w.exited, 5_000, "exit")).toBe(0);
  });

  it("SIGTERM drains (health says so, new jobs refused) and exits 0 once the running job's output is collected", async () => {
    const w = await spawnWorker();
    await putJob(w.url, "spot", "x", { processor: "synthetic", ms: 1_000 });
    await w.waitForLog("job.started");
    w.proc.kill("SIGTERM");
    await w.waitForLog("worker.draining");
    expect(await json(await fetch(`${w.url}/v1/health`))).toEqual({ status: "draining" });
    expect((await putJob(w.url, "late", "x", { processor: "synthetic" })).status).toBe(503);
    expect(await waitForJob(w.url, "spot")).toMatchObject({ status: "succeeded" });
    // The finished output is kept for its download; deleting the job (as the orchestrator does
    // after downloading it) lets the drained worker exit.
    expect((await fetch(`${w.url}/v1/jobs/spot`, { method: "DELETE", headers: auth })).ok).toBe(true);
    expect(await within(w.exited, 10_000, "exit")).toBe(0);
  });

  it("fault exitDuringJob stops the process mid-job with that exit code", async () => {
    const w = await spawnWorker();
    await putJob(w.url, "crash", "x", { processor: "synthetic", ms: 400, faults: { exitDuringJob: 3 } });
    expect(await within(w.exited, 10_000, "exit")).toBe(3);
    expect(w.logs.some((e) => e.event === "job.succeeded")).toBe(false);
  });

  it("exits by itself after FANOUT_IDLE_TIMEOUT_SECONDS; unauthenticated requests do not count", async () => {
    const w = await spawnWorker({ FANOUT_IDLE_TIMEOUT_SECONDS: "1" });
    const poll = setInterval(() => {
      void fetch(`${w.url}/v1/health`).catch(() => {});
      void fetch(`${w.url}/v1/info`).catch(() => {});
    }, 150);
    try {
      expect(await within(w.exited, 8_000, "idle exit")).toBe(0);
    } finally {
      clearInterval(poll);
    }
    expect(w.logs.find((e) => e.event === "worker.exiting")?.reason).toMatch(/idle/);
  });
});
