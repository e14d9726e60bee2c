import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeParams, syntheticBytes } from "../src/index.js";
import {
  auth,
  killAll,
  putJob,
  rawRequest,
  type SpawnedWorker,
  sha256,
  spawnWorker,
  waitForJob,
} from "./helpers.js";

const expectedSynthetic = (seed: string, bytes: number) => Buffer.concat([...syntheticBytes(seed, bytes)]);

describe("worker protocol v1 over loopback HTTP", () => {
  let worker: SpawnedWorker;
  beforeAll(async () => {
    worker = await spawnWorker({ FANOUT_MAX_INPUT_BYTES: "100000", FANOUT_SLOTS: "2" });
  });
  afterAll(killAll);

  it("answers /v1/health without a token and reveals nothing else", async () => {
    const res = await fetch(`${worker.url}/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it.each([
    ["a missing token", {}],
    ["a wrong token", { authorization: "Bearer nope" }],
    ["a token of the right length but wrong", { authorization: `Bearer ${"x".repeat(21)}` }],
    ["another scheme", { authorization: "Basic dGVzdA==" }],
  ])("refuses %s with 401 on every other route", async (_name, headers: Record<string, string>) => {
    for (const [method, path] of [
      ["GET", "/v1/info"],
      ["GET", "/v1/jobs/a"],
      ["PUT", "/v1/jobs/a"],
      ["GET", "/v1/jobs/a/output"],
      ["DELETE", "/v1/jobs/a"],
      ["POST", "/v1/drain"],
      ["POST", "/v1/shutdown"],
    ] as const) {
      const res = await fetch(`${worker.url}${path}`, {
        method,
        headers,
        body: method === "PUT" ? "x" : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
    }
    const health = await fetch(`${worker.url}/v1/health`);
    expect(health.status).toBe(200);
  });

  it("describes itself on /v1/info", async () => {
    const res = await fetch(`${worker.url}/v1/info`, { headers: auth });
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      worker: { name: "@ecs-fanout/worker" },
      runId: null,
      taskArn: null,
      processors: ["ffmpeg-scale", "synthetic"],
      slots: 2,
      busy: 0,
      draining: false,
    });
    expect(typeof info.uptimeSeconds).toBe("number");
  });

  it("accepts a job, reports progress and serves deterministic output with its sha256", async () => {
    const input = Buffer.from("hello synthetic");
    const res = await putJob(
      worker.url,
      "job-1",
      input,
      { processor: "synthetic", ms: 300, bytes: 5000 },
      {
        "x-content-sha256": sha256(input),
      },
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ jobId: "job-1", status: "queued" });
    const done = await waitForJob(worker.url, "job-1");
    const expected = expectedSynthetic("job-1", 5000);
    expect(done).toMatchObject({
      status: "succeeded",
      progress: 1,
      output: { bytes: 5000, sha256: sha256(expected), contentType: "application/octet-stream" },
      input: { bytes: input.length, sha256: sha256(input) },
    });
    expect((done.timings as Record<string, number>).processMs).toBeGreaterThanOrEqual(250);

    const out = await fetch(`${worker.url}/v1/jobs/job-1/output`, { headers: auth });
    expect(out.status).toBe(200);
    expect(out.headers.get("content-length")).toBe("5000");
    expect(out.headers.get("accept-ranges")).toBe("bytes");
    expect(out.headers.get("x-content-sha256")).toBe(sha256(expected));
    expect(Buffer.from(await out.arrayBuffer()).equals(expected)).toBe(true);

    const progress = worker.logs.filter((e) => e.event === "job.progress" && e.jobId === "job-1");
    expect(progress.map((e) => e.progress)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const succeeded = worker.logs.find((e) => e.event === "job.succeeded" && e.jobId === "job-1");
    expect(succeeded).toMatchObject({ inputBytes: input.length, outputBytes: 5000 });
    expect(typeof succeeded?.processMs).toBe("number");
    expect(worker.logs.find((e) => e.event === "job.accepted" && e.jobId === "job-1")).toBeTruthy();
    expect(worker.logs.find((e) => e.event === "job.started" && e.jobId === "job-1")).toBeTruthy();
  });

  it("resumes a download with Range (206) and refuses ranges outside the file (416)", async () => {
    await putJob(worker.url, "ranged", "x", { processor: "synthetic", bytes: 1000, seed: "r" });
    await waitForJob(worker.url, "ranged");
    const full = expectedSynthetic("r", 1000);
    const part = await fetch(`${worker.url}/v1/jobs/ranged/output`, {
      headers: { ...auth, range: "bytes=400-" },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 400-999/1000");
    expect(part.headers.get("content-length")).toBe("600");
    expect(Buffer.from(await part.arrayBuffer()).equals(full.subarray(400))).toBe(true);

    const middle = await fetch(`${worker.url}/v1/jobs/ranged/output`, {
      headers: { ...auth, range: "bytes=10-19" },
    });
    expect(middle.status).toBe(206);
    expect(Buffer.from(await middle.arrayBuffer()).equals(full.subarray(10, 20))).toBe(true);

    const suffix = await fetch(`${worker.url}/v1/jobs/ranged/output`, {
      headers: { ...auth, range: "bytes=-5" },
    });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(full.subarray(995))).toBe(true);

    for (const range of ["bytes=1000-", "bytes=5-2", "items=0-1", "bytes=abc"]) {
      const bad = await fetch(`${worker.url}/v1/jobs/ranged/output`, { headers: { ...auth, range } });
      expect(bad.status, range).toBe(416);
      expect(bad.headers.get("content-range")).toBe("bytes */1000");
      await bad.arrayBuffer();
    }
  });

  it("returns the existing job for the same id and input, and 409 for another input", async () => {
    const body = Buffer.from("same input");
    const first = await putJob(worker.url, "idem", body, { processor: "synthetic", ms: 200 });
    expect(first.status).toBe(202);
    const again = await putJob(worker.url, "idem", body, { processor: "synthetic", ms: 200 });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ jobId: "idem", input: { sha256: sha256(body) } });
    const withSha = await putJob(
      worker.url,
      "idem",
      body,
      { processor: "synthetic" },
      {
        "x-content-sha256": sha256(body),
      },
    );
    expect(withSha.status).toBe(202);
    const other = await putJob(worker.url, "idem", "different input", { processor: "synthetic" });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("JOB_CONFLICT");
    expect(worker.logs.filter((e) => e.event === "job.accepted" && e.jobId === "idem")).toHaveLength(1);
  });

  it("rejects a body whose sha256 differs from x-content-sha256 and keeps nothing", async () => {
    const res = await putJob(
      worker.url,
      "bad-sha",
      "payload",
      { processor: "synthetic" },
      {
        "x-content-sha256": sha256("something else"),
      },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SHA256_MISMATCH");
    const status = await fetch(`${worker.url}/v1/jobs/bad-sha`, { headers: auth });
    expect(status.status).toBe(404);
    await status.arrayBuffer();
  });

  it.each([
    ["a dot-dot segment", "/v1/jobs/.."],
    ["a single dot", "/v1/jobs/."],
    ["an encoded dot-dot", "/v1/jobs/%2e%2e"],
    ["an encoded slash", "/v1/jobs/a%2Fb"],
    ["an encoded backslash", "/v1/jobs/a%5Cb"],
    ["a traversal path", "/v1/jobs/../../etc/passwd"],
    ["an encoded traversal", "/v1/jobs/..%2F..%2Fetc%2Fpasswd/output"],
    ["a broken escape", "/v1/jobs/%zz"],
    ["a too long id", `/v1/jobs/${"a".repeat(129)}`],
    ["an empty id", "/v1/jobs/"],
  ])("answers 400 for a job id with %s", async (_name, path) => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await rawRequest(worker.url, { method, path, headers: auth, body: Buffer.from("x") });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(res.body.toString()).error.code).toBe("INVALID_JOB_ID");
    }
  });

  it("reports every problem of x-fanout-params in one 400", async () => {
    const res = await putJob(worker.url, "bad-params", "x", {
      processor: "ffmpeg-scale",
      scale: 5,
      crf: "high",
      preset: "warp",
      colour: true,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; problems: string[] } };
    expect(body.error.code).toBe("INVALID_PARAMS");
    expect(body.error.problems).toEqual([
      "scale: expected one of 2, 3, 4, got number 5",
      'crf: expected an integer in 0..51, got "high"',
      'preset: expected one of "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", got "warp"',
      "colour: unknown option",
    ]);
  });

  it.each([
    ["an unknown processor", encodeParams({ processor: "magic" }), /processor: expected one of/],
    [
      "a processor not enabled here",
      encodeParams({ processor: "seedvr2" }),
      /not enabled.*FANOUT_SEEDVR2_CMD/,
    ],
    ["a header that is not base64url", "%%%", /expected base64url/],
    ["base64url that is not JSON", Buffer.from("{nope").toString("base64url"), /expected base64url JSON/],
    ["JSON that is not an object", Buffer.from("[1]").toString("base64url"), /expected a JSON object/],
    [
      "synthetic options of the wrong types",
      encodeParams({ processor: "synthetic", ms: -1, faults: { corruptOutput: "yes" } }),
      /ms: expected an integer.*faults\.corruptOutput: expected true or false/,
    ],
  ])("answers 400 for %s", async (_name, header, message) => {
    const res = await fetch(`${worker.url}/v1/jobs/params-case`, {
      method: "PUT",
      headers: { ...auth, "x-fanout-params": header },
      body: "x",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  });

  it("answers 413 when content-length is over FANOUT_MAX_INPUT_BYTES, before reading the body", async () => {
    const res = await putJob(worker.url, "too-big", Buffer.alloc(100_001), { processor: "synthetic" });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INPUT_TOO_LARGE");
  });

  it("answers 413 when a chunked upload streams past the limit, and keeps nothing", async () => {
    const { hostname, port } = new URL(worker.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          hostname,
          port,
          method: "PUT",
          path: "/v1/jobs/too-big-stream",
          headers: { ...auth, "x-fanout-params": encodeParams({ processor: "synthetic" }) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      let sent = 0;
      const pump = () => {
        while (sent < 300_000) {
          sent += 10_000;
          if (!req.write(Buffer.alloc(10_000))) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    const after = await fetch(`${worker.url}/v1/jobs/too-big-stream`, { headers: auth });
    expect(after.status).toBe(404);
    await after.arrayBuffer();
  });

  it("long-polls: returns as soon as the status changes, not after waitSeconds", async () => {
    await putJob(worker.url, "poll", "x", { processor: "synthetic", ms: 600, progressSteps: 1 });
    let status = "queued";
    const started = Date.now();
    while (status !== "succeeded") {
      const res = await fetch(`${worker.url}/v1/jobs/poll?waitSeconds=30`, { headers: auth });
      status = ((await res.json()) as { status: string }).status;
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    const bad = await fetch(`${worker.url}/v1/jobs/poll?waitSeconds=soon`, { headers: auth });
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
  });

  it("long-polls up to waitSeconds when nothing changes", async () => {
    await putJob(worker.url, "slow-poll", "x", { processor: "synthetic", ms: 5_000, progressSteps: 1 });
    await fetch(`${worker.url}/v1/jobs/slow-poll?waitSeconds=2`, { headers: auth }).then((r) => r.json());
    const started = Date.now();
    const res = await fetch(`${worker.url}/v1/jobs/slow-poll?waitSeconds=1`, { headers: auth });
    expect(((await res.json()) as { status: string }).status).toBe("running");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await fetch(`${worker.url}/v1/jobs/slow-poll`, { method: "DELETE", headers: auth });
  });

  it("deletes a job (204), frees its folder, and then knows it no more (404)", async () => {
    await putJob(worker.url, "gone", "x", { processor: "synthetic", bytes: 10 });
    await waitForJob(worker.url, "gone");
    const del = await fetch(`${worker.url}/v1/jobs/gone`, { method: "DELETE", headers: auth });
    expect(del.status).toBe(204);
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(`${worker.workDir}/jobs`)).not.toContain("gone");
    for (const path of ["/v1/jobs/gone", "/v1/jobs/gone/output"]) {
      const res = await fetch(`${worker.url}${path}`, { headers: auth });
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    }
    const again = await fetch(`${worker.url}/v1/jobs/gone`, { method: "DELETE", headers: auth });
    expect(again.status).toBe(404);
    await again.arrayBuffer();
  });

  it("answers 409 for the output of a job that has not succeeded, 404/405 for unknown routes and methods", async () => {
    await putJob(worker.url, "not-yet", "x", { processor: "synthetic", ms: 2_000 });
    const early = await fetch(`${worker.url}/v1/jobs/not-yet/output`, { headers: auth });
    expect(early.status).toBe(409);
    await early.arrayBuffer();
    const nope = await fetch(`${worker.url}/v2/anything`, { headers: auth });
    expect(nope.status).toBe(404);
    await nope.arrayBuffer();
    const post = await fetch(`${worker.url}/v1/jobs/not-yet`, { method: "POST", headers: auth });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("PUT, GET, DELETE");
    await post.arrayBuffer();
    await fetch(`${worker.url}/v1/jobs/not-yet`, { method: "DELETE", headers: auth });
  });

  it("fails only the job whose processor fails, with its message, and keeps serving", async () => {
    await putJob(worker.url, "doomed", "x", { processor: "synthetic", fail: "GPU fell off the bus" });
    const failed = await waitForJob(worker.url, "doomed");
    expect(failed).toMatchObject({
      status: "failed",
      error: { code: "SYNTHETIC_FAILURE", message: "GPU fell off the bus" },
    });
    expect(worker.logs.find((e) => e.event === "job.failed" && e.jobId === "doomed")).toMatchObject({
      level: "error",
      error: { code: "SYNTHETIC_FAILURE" },
    });
    await putJob(worker.url, "after-doom", "x", { processor: "synthetic", bytes: 3 });
    expect(await waitForJob(worker.url, "after-doom")).toMatchObject({ status: "succeeded" });
  });

  it("fault truncateDownloadAfterBytes cuts the first download only; a Range request resumes it", async () => {
    await putJob(worker.url, "cut", "x", {
      processor: "synthetic",
      bytes: 200_000,
      faults: { truncateDownloadAfterBytes: 70_000 },
    });
    await waitForJob(worker.url, "cut");
    const full = expectedSynthetic("cut", 200_000);
    const received = await new Promise<Buffer>((resolve) => {
      const { hostname, port } = new URL(worker.url);
      const chunks: Buffer[] = [];
      http
        .get({ hostname, port, path: "/v1/jobs/cut/output", headers: auth }, (res) => {
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", () => resolve(Buffer.concat(chunks)));
          res.on("close", () => resolve(Buffer.concat(chunks)));
        })
        .on("error", () => resolve(Buffer.concat(chunks)));
    });
    expect(received.length).toBe(70_000);
    const rest = await fetch(`${worker.url}/v1/jobs/cut/output`, {
      headers: { ...auth, range: `bytes=${received.length}-` },
    });
    expect(rest.status).toBe(206);
    const whole = Buffer.concat([received, Buffer.from(await rest.arrayBuffer())]);
    expect(sha256(whole)).toBe(sha256(full));
  });

  it("fault corruptOutput serves bytes that do not match the reported sha256", async () => {
    await putJob(worker.url, "corrupt", "x", {
      processor: "synthetic",
      bytes: 64,
      faults: { corruptOutput: true },
    });
    await waitForJob(worker.url, "corrupt");
    const res = await fetch(`${worker.url}/v1/jobs/corrupt/output`, { headers: auth });
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(64);
    expect(res.headers.get("x-content-sha256")).toBe(sha256(expectedSynthetic("corrupt", 64)));
    expect(sha256(body)).not.toBe(res.headers.get("x-content-sha256"));
  });

  it("drains: health says draining, new jobs get 503, existing ones finish", async () => {
    await putJob(worker.url, "before-drain", "x", { processor: "synthetic", ms: 300 });
    const drain = await fetch(`${worker.url}/v1/drain`, { method: "POST", headers: auth });
    expect(drain.status).toBe(200);
    expect(await (await fetch(`${worker.url}/v1/health`)).json()).toEqual({ status: "draining" });
    const refused = await putJob(worker.url, "after-drain", "x", { processor: "synthetic" });
    expect(refused.status).toBe(503);
    await refused.arrayBuffer();
    expect(await waitForJob(worker.url, "before-drain")).toMatchObject({ status: "succeeded" });
    const info = await (await fetch(`${worker.url}/v1/info`, { headers: auth })).json();
    expect(info).toMatchObject({ draining: true });
  });
});
