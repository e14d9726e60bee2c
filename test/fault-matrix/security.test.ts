/**
 * Fault matrix, security: the worker's door (401 without or with a wrong token, 400 for a job id
 * that climbs out of its folder, 413 over the upload limit), a non-video upload that fails clearly
 * while the same worker goes on to succeed, and invalid run options that never reach AWS.
 */
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { generateTestVideo } from "@ecs-fanout/video";
import { type BatchRunOptions, executeParallelBatches, ValidationError } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { MARKER_ENV } from "../../bench/lib/stack.js";
import { spawnWorker, type WorkerProcess } from "../../bench/lib/worker-process.js";
import { assertCleanRun, type Row, startRow } from "../support/matrix.js";
import { eventually, pidsWithMarker } from "../support/processes.js";

/** A raw request: node:http sends the path exactly as given (no `..` normalization). */
function send(
  url: string,
  method: string,
  rawPath: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${rawPath}`, { method, headers, path: rawPath }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    // The server may answer (413) and close before the whole body is sent.
    req.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
    );
    req.end(body);
  });
}

const params = Buffer.from(JSON.stringify({ processor: "synthetic", ms: 0, bytes: 16 })).toString(
  "base64url",
);

describe("fault matrix: security", () => {
  let worker: WorkerProcess | undefined;
  let row: Row | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await row?.close();
    row = undefined;
  });

  it("the worker answers 401 without or with a wrong token, 400 for job id ../x, 413 over the upload limit", async () => {
    const marker = randomUUID();
    worker = await spawnWorker({ FANOUT_MAX_INPUT_BYTES: "1024", [MARKER_ENV]: marker });
    const auth = { authorization: `Bearer ${worker.token}` };

    expect((await send(worker.url, "GET", "/v1/info", {})).status, "no token").toBe(401);
    expect(
      (await send(worker.url, "GET", "/v1/info", { authorization: "Bearer wrong" })).status,
      "wrong token",
    ).toBe(401);
    expect((await send(worker.url, "GET", "/v1/info", auth)).status, "right token").toBe(200);

    const put = { ...auth, "x-fanout-params": params, "content-type": "application/octet-stream" };
    expect(
      (await send(worker.url, "PUT", "/v1/jobs/..%2Fx", put, Buffer.from("x"))).status,
      "encoded ../x",
    ).toBe(400);
    expect((await send(worker.url, "PUT", "/v1/jobs/..", put, Buffer.from("x"))).status, "job id ..").toBe(
      400,
    );
    const raw = await send(worker.url, "PUT", "/v1/jobs/../x", put, Buffer.from("x"));
    expect([400, 404], "raw ../x never creates a job").toContain(raw.status);

    const big = Buffer.alloc(4096, 1);
    const declared = await send(
      worker.url,
      "PUT",
      "/v1/jobs/too-big",
      { ...put, "content-length": "4096" },
      big,
    );
    expect(declared.status, "declared length over the limit").toBe(413);
    const chunked = await send(
      worker.url,
      "PUT",
      "/v1/jobs/too-big-chunked",
      { ...put, "transfer-encoding": "chunked" },
      big,
    );
    expect(chunked.status, "chunked body over the limit").toBe(413);
    expect((await send(worker.url, "GET", "/v1/jobs/too-big-chunked", auth)).status, "no job kept").toBe(404);

    await worker.stop();
    worker = undefined;
    expect(await eventually(async () => (await pidsWithMarker(marker)).length === 0, 5000)).toBe(true);
  });

  it("fails a non-video upload with ffmpeg's reason, then the same worker processes the next segment", async () => {
    row = await startRow();
    const notVideo = path.join(row.dir, "notes.mp4");
    await writeFile(notVideo, "this is a shopping list, not a video\n".repeat(50));
    const clip = path.join(row.dir, "clip.mp4");
    await generateTestVideo({ output: clip, seconds: 1, width: 160, height: 90 });
    const result = await executeParallelBatches(
      row.options({
        segments: [
          { id: "not-video", input: { path: notVideo } },
          { id: "clip", input: { path: clip } },
        ],
        params: { processor: "ffmpeg-scale", scale: 2 },
        maxParallelTasks: 1,
        lookAhead: false,
        retry: { segmentAttempts: 1 },
      }),
    );
    await assertCleanRun(row, result, { failed: ["not-video"] });
    const bad = result.failures[0];
    expect(bad?.error?.message).toMatch(/invalid data|moov atom|could not find|not a video|no video stream/i);
    const good = result.segments.find((s) => s.id === "clip");
    expect(good?.status).toBe("succeeded");
    expect(good?.taskArn, "the same worker").toBe(bad?.taskArn);
    expect(result.tasksLaunched).toBe(1);
  });

  it("rejects invalid run options with every problem listed and makes no AWS call at all", async () => {
    row = await startRow();
    const before = row.stack.local.stats();
    const invalid = {
      ...row.options({ segments: [] }),
      segments: [
        { id: "same", input: { path: "/nonexistent/a.mp4" } },
        { id: "same", input: { path: "/nonexistent/b.mp4" } },
        { id: "../escape", input: { path: "/nonexistent/c.mp4" } },
      ],
      cluster: "",
      maxParallelTasks: 0,
      pollIntervalMs: -5,
    } as unknown as BatchRunOptions;
    const error = await executeParallelBatches(invalid).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems.map((p) => p.path).join(" ");
    for (const field of ["cluster", "maxParallelTasks", "pollIntervalMs", "segments"])
      expect(problems).toContain(field);
    const after = row.stack.local.stats();
    expect(after.calls["RunTask"] ?? 0, "RunTask calls").toBe(before.calls["RunTask"] ?? 0);
    expect(after.calls, "no AWS call of any kind").toEqual(before.calls);
    await assertCleanRun(row, undefined);
  });
});
