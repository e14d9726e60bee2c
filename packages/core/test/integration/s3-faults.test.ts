import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import { type BatchRunOptions, type BatchRunResult, executeParallelBatches, type Segment } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeS3Client } from "../../src/s3/client.js";
import { baseOptions, type Env, recorder, registerWorker, runningTaskArns, startEnv } from "./helpers.js";
import { type FaultProxy, type S3Request, startFaultProxy } from "./s3-fault-proxy.js";

// Whole runs on the S3 plane (the local ECS endpoint launching real worker processes, the local S3
// with signatures checked) with one fault per scenario, injected where it happens for real: S3's
// answers and the bytes on the wire (a proxy in front of the local S3), URLs that expire, a worker
// killed mid-upload, the orchestrator killed after an output landed. Each ends with every segment
// exactly once and no corrupt output, or with the segment failed clearly — and with no multipart
// upload left in S3 (the local S3 lists them: ListMultipartUploads is patched into s3rver).

const BUCKET = "faults";
const KiB = 1024;
const MiB = 1024 * KiB;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const CHILD = fileURLToPath(new URL("../fixtures/s3-run-child.ts", import.meta.url));

let env: Env;
let s3: LocalS3;
let proxy: FaultProxy;
/** The core's client: every request it signs (and every URL it presigns) goes through the proxy. */
let core: S3Client;
/** The test's own client, straight to the local S3. */
let direct: S3Client;
let td: string;

beforeAll(async () => {
  env = await startEnv();
  s3 = await startLocalS3({ buckets: [BUCKET] });
  proxy = await startFaultProxy(s3.endpoint);
  const credentials = s3.clientConfig.credentials;
  core = makeS3Client({ region: s3.region, credentials }, { endpoint: proxy.endpoint });
  direct = makeS3Client({ region: s3.region, credentials }, { endpoint: s3.endpoint });
  td = await registerWorker(env, "synthetic-s3-faults", { FANOUT_ENABLE_SYNTHETIC: "1" });
});
afterAll(async () => {
  core?.destroy();
  direct?.destroy();
  await proxy?.close();
  await s3?.close();
  await env?.close();
});

async function object(key: string): Promise<Buffer> {
  const got = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(
    await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

/** The multipart uploads S3 itself still holds under `tag/` (the local S3 lists them, as AWS does). */
async function openUploads(tag: string): Promise<string[]> {
  const listed = await direct.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${tag}/` }));
  return (listed.Uploads ?? []).map((u) => `${u.Key} ${u.UploadId}`);
}

const exists = (key: string) =>
  object(key).then(
    () => true,
    () => false,
  );

/** `n` S3 inputs under `tag/in/`, each with its SHA-256 (so the worker refuses other bytes). */
async function s3Inputs(tag: string, n: number, bytes = 256 * KiB): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const body = Buffer.alloc(bytes, 30 + i);
    body.write(`${tag}-${i}`);
    const key = `${tag}/in/s${i}.bin`;
    await direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    segments.push({ id: `s${i}`, input: { s3: `s3://${BUCKET}/${key}`, sha256: sha(body) } });
  }
  return segments;
}

/** A run of `segments` with S3 outputs under `tag/out/`, each also streamed to its own outputDir. */
function runOptions(tag: string, segments: Segment[], outputBytes = 200 * KiB): BatchRunOptions {
  const base = baseOptions(env, td, segments);
  return {
    ...base,
    outputDir: join(env.dir, tag),
    outputs: { s3: `s3://${BUCKET}/${tag}/out/` },
    manifest: join(env.dir, `${tag}.jsonl`),
    clients: { s3: core },
    params: { processor: "synthetic", ms: 50, bytes: outputBytes },
    maxParallelTasks: 1,
    retry: { ...base.retry, segmentAttempts: 3 },
  };
}

const worker = (operation: S3Request["operation"], tag: string) => (r: S3Request) =>
  r.presigned && r.operation === operation && r.path.startsWith(`${BUCKET}/${tag}/`);

/**
 * What every recovered run must end with: each segment succeeded and was accepted once, its
 * object in S3 and its file on disk are the bytes the result names, nothing else is on disk, every
 * multipart upload the run created was completed or aborted (S3 lists none), no presigned URL was recorded
 * anywhere, and no task is left running.
 */
async function expectEachOnce(
  tag: string,
  segments: readonly Segment[],
  result: BatchRunResult,
  rec: ReturnType<typeof recorder>,
): Promise<void> {
  const ids = segments.map((s) => s.id).sort();
  expect(result.failed, JSON.stringify(result.failures)).toBe(0);
  expect(result.segments.map((s) => s.id).sort()).toEqual(ids);
  expect(
    rec
      .of("segment.downloaded")
      .map((e) => e.segmentId)
      .sort(),
  ).toEqual(ids);
  for (const s of result.segments) {
    expect(s.s3?.uri).toBe(`s3://${BUCKET}/${tag}/out/${s.id}.bin`);
    expect(s.s3?.sha256).toBe(s.sha256);
    expect(sha(await object(`${tag}/out/${s.id}.bin`))).toBe(s.sha256);
    expect(sha(await readFile(s.outputPath as string))).toBe(s.sha256);
  }
  expect((await readdir(join(env.dir, tag))).sort()).toEqual(ids.map((id) => `${id}.bin`));
  const { created, completed, aborted } = proxy.uploads();
  for (const id of created) expect([...completed, ...aborted]).toContain(id);
  expect(await openUploads(tag)).toEqual([]);
  const manifest = await readFile(join(env.dir, `${tag}.jsonl`), "utf8");
  for (const text of [manifest, JSON.stringify(rec.events), JSON.stringify(result)])
    expect(text).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
  expect(await runningTaskArns(env)).toEqual([]);
}

const runTasks = () => env.local.stats().calls["RunTask"] ?? 0;

describe("a whole S3 run under S3's faults", () => {
  it("rides out 503 SlowDown on the workers' GETs and PUTs: the worker retries, no attempt fails", async () => {
    const tag = "slowdown";
    const slowDown = { answer: 503, code: "SlowDown", message: "Please reduce your request rate." };
    proxy.inject(worker("GetObject", tag), slowDown, 2);
    proxy.inject(worker("PutObject", tag), slowDown, 2);
    const segments = await s3Inputs(tag, 2);
    const rec = recorder();
    const result = await executeParallelBatches({ ...runOptions(tag, segments), onEvent: rec.onEvent });
    await expectEachOnce(tag, segments, result, rec);
    expect(proxy.seen.filter((s) => s.path.startsWith(`${BUCKET}/${tag}/`) && s.status === 503)).toHaveLength(
      4,
    );
    expect(rec.of("segment.failed")).toEqual([]);
  });

  it("retries an attempt S3 answered 403 with fresh URLs, on the same task, which is not called lost", async () => {
    const tag = "forbidden";
    const denied = { answer: 403, code: "AccessDenied", message: "Access Denied" };
    proxy.inject(worker("GetObject", tag), denied);
    proxy.inject(worker("PutObject", tag), denied);
    const segments = await s3Inputs(tag, 2);
    const rec = recorder();
    const before = runTasks();
    const result = await executeParallelBatches({ ...runOptions(tag, segments), onEvent: rec.onEvent });
    await expectEachOnce(tag, segments, result, rec);
    const failed = rec.of("segment.failed");
    expect(failed.map((e) => e.willRetry)).toEqual([true, true]);
    expect(failed.map((e) => e.message).join("\n")).toMatch(/S3 GET of the input: HTTP 403 AccessDenied/);
    expect(failed.map((e) => e.code)).toContain("S3_FORBIDDEN");
    // One task did it all: an S3 refusal the worker relayed is not the task's fault.
    expect(runTasks() - before).toBe(1);
    // Each refusal cost one attempt; which segment met the PUT's refusal depends on the order the
    // task took them in (a retried segment may meet it on its second try).
    expect(result.segments.reduce((n, s) => n + s.attempts, 0)).toBe(segments.length + 2);
  });

  it("retries an attempt whose URLs expired before the worker used them; the retry's fresh URLs land", async () => {
    const tag = "expired";
    const segments = await s3Inputs(tag, 2);
    const options = runOptions(tag, segments);
    const segmentMs = 20_000;
    // The core signs as if it were 110 s earlier, so each URL (the attempt's 20 s plus a minute) is
    // already past its expiry when S3 sees it; the local S3 itself says "Request has expired".
    core.config.systemClockOffset = -110_000;
    const rec = recorder();
    try {
      const result = await executeParallelBatches({
        ...options,
        timeouts: { ...options.timeouts, segmentMs },
        onEvent: (e) => {
          rec.onEvent(e);
          if (e.type === "segment.failed") core.config.systemClockOffset = 0;
        },
      });
      await expectEachOnce(tag, segments, result, rec);
    } finally {
      core.config.systemClockOffset = 0;
    }
    const failed = rec.of("segment.failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((e) => e.willRetry && /Request has expired/.test(e.message))).toBe(true);
    // S3 refused them, not the proxy.
    const refused = proxy.seen.filter((s) => s.path.startsWith(`${BUCKET}/${tag}/in/`) && s.status === 403);
    expect(refused.length).toBe(failed.length);
    expect(refused.every((s) => s.fault === undefined)).toBe(true);
  });

  it("fails a segment clearly when every attempt's URLs had expired, and keeps no output of it", async () => {
    const tag = "expired-always";
    const segments = await s3Inputs(tag, 1);
    const options = runOptions(tag, segments);
    core.config.systemClockOffset = -110_000;
    const rec = recorder();
    let result: BatchRunResult;
    try {
      result = await executeParallelBatches({
        ...options,
        timeouts: { ...options.timeouts, segmentMs: 20_000 },
        retry: { ...options.retry, segmentAttempts: 2 },
        onEvent: rec.onEvent,
      });
    } finally {
      core.config.systemClockOffset = 0;
    }
    expect(result.succeeded).toBe(0);
    expect(result.failures.map((f) => [f.id, f.attempts])).toEqual([["s0", 2]]);
    expect(result.failures[0]?.error?.message).toMatch(
      /S3 GET of the input: HTTP 403 AccessDenied \(Request has expired\)/,
    );
    expect(rec.of("segment.failed").map((e) => e.willRetry)).toEqual([true, false]);
    expect(await exists(`${tag}/out/s0.bin`)).toBe(false);
    expect(existsSync(join(env.dir, tag)) ? await readdir(join(env.dir, tag)) : []).toEqual([]);
    expect(JSON.stringify([result, rec.events])).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
    expect(await runningTaskArns(env)).toEqual([]);
  });

  it("resumes a truncated GET with Range and sends a cut PUT again: nothing partial is accepted", async () => {
    const tag = "truncated";
    proxy.inject(worker("GetObject", tag), { truncateResponseAt: 100 * KiB });
    proxy.inject(worker("PutObject", tag), { cutRequestAt: 64 * KiB });
    const segments = await s3Inputs(tag, 2);
    const rec = recorder();
    const result = await executeParallelBatches({ ...runOptions(tag, segments), onEvent: rec.onEvent });
    await expectEachOnce(tag, segments, result, rec);
    const mine = proxy.seen.filter((s) => s.path.startsWith(`${BUCKET}/${tag}/`) && s.presigned);
    expect(mine.filter((s) => s.fault !== undefined).map((s) => s.fault)).toEqual([
      "truncateResponseAt",
      "cutRequestAt",
    ]);
    // The rest of the cut input was asked for from where the cut left off.
    expect(mine.some((s) => s.operation === "GetObject" && s.fault === undefined)).toBe(true);
    expect(rec.of("segment.failed")).toEqual([]);
  });

  it("never accepts bytes corrupted on the way: the input's SHA-256 and S3's checksum catch them, the attempt is redone", async () => {
    const tag = "corrupt";
    proxy.inject(worker("GetObject", tag), { corruptResponseByte: 1000 });
    proxy.inject(worker("PutObject", tag), { corruptRequestByte: 1000 });
    const segments = await s3Inputs(tag, 2);
    const rec = recorder();
    const result = await executeParallelBatches({ ...runOptions(tag, segments), onEvent: rec.onEvent });
    await expectEachOnce(tag, segments, result, rec);
    const failed = rec.of("segment.failed");
    expect(failed.map((e) => e.willRetry)).toEqual([true, true]);
    const said = failed.map((e) => `${e.code}: ${e.message}`).join("\n");
    expect(said).toMatch(/S3 input sha256: expected [0-9a-f]{64}, got [0-9a-f]{64}/);
    // The local S3 stores what it gets (it keeps no SHA-256): the core's check of its ETag refuses it.
    expect(said).toMatch(
      /S3_CHECKSUM_MISMATCH: s3:\/\/faults\/corrupt\/out\/s\d\.bin does not match the worker's output/,
    );
  });

  it("refuses a staged input corrupted on its way to the task: the worker checks the file's own SHA-256", async () => {
    const tag = "corrupt-staged";
    proxy.inject(worker("GetObject", tag), { corruptResponseByte: 1000 });
    const dir = join(env.dir, `${tag}-in`);
    await mkdir(dir, { recursive: true });
    const segments: Segment[] = [];
    for (let i = 0; i < 2; i++) {
      const path = join(dir, `s${i}.bin`);
      await writeFile(path, Buffer.alloc(256 * KiB, 60 + i));
      segments.push({ id: `s${i}`, input: { path } });
    }
    const rec = recorder();
    const result = await executeParallelBatches({
      ...runOptions(tag, segments),
      stage: `s3://${BUCKET}/${tag}/stage/`,
      onEvent: rec.onEvent,
    });
    await expectEachOnce(tag, segments, result, rec);
    const failed = rec.of("segment.failed");
    expect(failed.map((e) => e.willRetry)).toEqual([true]);
    expect(failed[0]?.message).toMatch(/S3 input sha256: expected [0-9a-f]{64}, got [0-9a-f]{64}/);
    // Nothing went over the direct link: every input came from its staged copy.
    expect(rec.of("segment.uploaded").every((e) => e.bytes === 0)).toBe(true);
  });
});

describe("a whole S3 run when a process dies", () => {
  it("redoes a segment whose worker was killed mid-upload on another task, and aborts its multipart upload", async () => {
    const tag = "killed-worker";
    const segments = await s3Inputs(tag, 2);
    const rec = recorder();
    let killed: string | undefined;
    // The first part of the first output waits here while its task is killed (SIGKILL, exit 137).
    proxy.inject(worker("UploadPart", tag), {
      hold: async (r) => {
        const id = /\/out\/(s\d)\.bin$/.exec(r.path)?.[1];
        killed = rec.of("segment.started").find((e) => e.segmentId === id)?.taskArn;
        if (killed !== undefined) env.local.crashTask(killed);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      },
    });
    const before = proxy.uploads();
    const result = await executeParallelBatches({
      ...runOptions(tag, segments, 20 * MiB),
      onEvent: rec.onEvent,
    });
    expect(killed).toBeDefined();
    await expectEachOnce(tag, segments, result, rec);
    const after = proxy.uploads();
    const created = after.created.slice(before.created.length);
    const completed = after.completed.slice(before.completed.length);
    const aborted = after.aborted.slice(before.aborted.length);
    // Each output in two parts: the killed attempt's upload aborted, a fresh one for the retry.
    expect(created).toHaveLength(3);
    expect(completed).toHaveLength(2);
    expect(aborted).toHaveLength(1);
    expect(completed).not.toContain(aborted[0]);
    // Whatever the killed task held (the uploading segment, and one queued behind it) is redone elsewhere.
    const failed = rec.of("segment.failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((e) => e.taskArn === killed && e.willRetry)).toBe(true);
    for (const id of new Set(failed.map((e) => e.segmentId)))
      expect(result.segments.find((s) => s.id === id)?.taskArn).not.toBe(killed);
    // S3 holds no upload of the run: the killed attempt's was aborted, the others completed.
    expect(await openUploads(tag)).toEqual([]);
    expect(
      rec
        .of("multipart.closed")
        .map((e) => e.outcome)
        .sort(),
    ).toEqual(["aborted", "completed", "completed"]);
  }, 90_000);

  it("leaves no multipart upload behind when a staging fails and its first abort fails too: the run's end aborts it", async () => {
    const tag = "failed-staging";
    const dir = join(env.dir, `${tag}-in`);
    await mkdir(dir, { recursive: true });
    // s0 is staged in two parts (more than 16 MiB), s1 in one PUT.
    await writeFile(join(dir, "s0.bin"), Buffer.alloc(16 * MiB + 1, 70));
    await writeFile(join(dir, "s1.bin"), Buffer.alloc(64 * KiB, 71));
    const segments: Segment[] = ["s0", "s1"].map((id) => ({ id, input: { path: join(dir, `${id}.bin`) } }));
    const staging = (operation: S3Request["operation"]) => (r: S3Request) =>
      !r.presigned && r.operation === operation && r.path.startsWith(`${BUCKET}/${tag}/stage/`);
    const denied = { answer: 403, code: "AccessDenied", message: "Access Denied" };
    proxy.inject(staging("UploadPart"), denied);
    proxy.inject(staging("AbortMultipartUpload"), denied);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...runOptions(tag, segments),
      stage: `s3://${BUCKET}/${tag}/stage/`,
      onEvent: rec.onEvent,
    });
    expect(result.failures.map((f) => f.id)).toEqual(["s0"]);
    expect(result.failures[0]?.error?.message).toMatch(/staging .*s0\.bin.*AccessDenied/);
    expect(result.segments.filter((s) => s.status === "succeeded").map((s) => s.id)).toEqual(["s1"]);
    // The failed abort was said, not swallowed; the end of the run aborted the upload.
    const [failedAbort] = rec.of("multipart.abortFailed");
    expect(failedAbort).toMatchObject({ bucket: BUCKET, key: expect.stringMatching(/\/s0\.bin$/) });
    expect(failedAbort?.error).toMatch(/^AccessDenied/);
    const closed = rec.of("multipart.closed").filter((e) => e.uploadId === failedAbort?.uploadId);
    expect(closed.map((e) => e.outcome)).toEqual(["aborted"]);
    expect(await openUploads(tag)).toEqual([]);
    const manifest = await readFile(join(env.dir, `${tag}.jsonl`), "utf8");
    expect(manifest).toContain('"type":"multipart.abortFailed"');
    expect(manifest).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
    expect(await runningTaskArns(env)).toEqual([]);
  }, 90_000);

  it("resumes after the orchestrator was SIGKILLed mid-upload once an output landed: landed outputs reused, none written twice, its open upload aborted", async () => {
    const tag = "killed-orchestrator";
    const segments = await s3Inputs(tag, 3);
    const options = runOptions(tag, segments);
    // Outputs in two parts each, so the orchestrator dies with a multipart upload open.
    const { clients: _clients, ...serializable } = {
      ...options,
      params: { processor: "synthetic", ms: 1_500, bytes: 20 * MiB },
    };
    await mkdir(join(env.dir, tag), { recursive: true });
    const config = join(env.dir, `${tag}.child.json`);
    await writeFile(
      config,
      JSON.stringify({
        options: serializable,
        s3: { endpoint: proxy.endpoint, region: s3.region, credentials: s3.clientConfig.credentials },
      }),
    );
    const child = spawn(
      process.execPath,
      ["--conditions=ecs-fanout-source", "--import", "tsx", CHILD, config],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_c, s) => resolve(s)));
    const manifest = options.manifest as string;
    const linesOf = async (type: string) =>
      (await readFile(manifest, "utf8").catch(() => ""))
        .split("\n")
        .filter((l) => l.includes(`"type":"${type}"`))
        .map((l) => JSON.parse(l) as { segmentId: string; uploadId: string });
    const landedIds = async () => (await linesOf("segment.downloaded")).map((l) => l.segmentId);
    // Once an output landed, the next part a worker sends is held while the orchestrator is killed.
    let killedWhileUploading = false;
    proxy.inject(
      worker("UploadPart", tag),
      {
        hold: async () => {
          if (killedWhileUploading || (await landedIds()).length === 0) return;
          killedWhileUploading = true;
          child.kill("SIGKILL");
          await exited;
        },
      },
      1_000,
    );
    const waitUntil = Date.now() + 60_000;
    while (!killedWhileUploading && Date.now() < waitUntil && child.exitCode === null)
      await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGKILL");
    expect(await exited, stderr).toBe("SIGKILL");
    proxy.clear();
    expect(killedWhileUploading).toBe(true);
    const landed = await landedIds();
    // The record lists the upload the killed run left open; S3 still holds it.
    const opened = (await linesOf("multipart.opened")).map((l) => l.uploadId);
    const closed = new Set((await linesOf("multipart.closed")).map((l) => l.uploadId));
    const leftOpen = opened.filter((id) => !closed.has(id));
    expect(leftOpen.length).toBeGreaterThanOrEqual(1);
    expect((await openUploads(tag)).length).toBeGreaterThanOrEqual(1);
    expect(landed.length).toBeGreaterThanOrEqual(1);
    expect(landed.length).toBeLessThan(3);
    const landedSha = new Map(
      await Promise.all(landed.map(async (id) => [id, sha(await object(`${tag}/out/${id}.bin`))] as const)),
    );

    const mark = proxy.seen.length;
    const rec = recorder();
    // The same params as the killed run: outputs made with other params would be made again.
    const result = await executeParallelBatches({
      ...options,
      params: serializable.params,
      resume: true,
      onEvent: rec.onEvent,
    });
    expect(
      rec
        .of("segment.resumed")
        .map((e) => e.segmentId)
        .sort(),
    ).toEqual([...landed].sort());
    const redone = segments.map((s) => s.id).filter((id) => !landed.includes(id));
    expect(
      rec
        .of("segment.downloaded")
        .map((e) => e.segmentId)
        .sort(),
    ).toEqual(redone);
    // The landed outputs were not written again: no PUT to their keys, the same bytes as before.
    const puts = proxy.seen
      .slice(mark)
      .filter((s) => s.operation === "PutObject" || s.operation === "UploadPart");
    for (const id of landed) {
      expect(puts.filter((s) => s.path === `${BUCKET}/${tag}/out/${id}.bin`)).toEqual([]);
      expect(sha(await object(`${tag}/out/${id}.bin`))).toBe(landedSha.get(id));
    }
    // Every segment exactly once, in S3 and on disk; the killed run's task was stopped.
    expect(result.succeeded).toBe(3);
    for (const s of result.segments) {
      expect(sha(await object(`${tag}/out/${s.id}.bin`))).toBe(s.sha256);
      expect(sha(await readFile(s.outputPath as string))).toBe(s.sha256);
    }
    expect((await readdir(join(env.dir, tag))).sort()).toEqual(["s0.bin", "s1.bin", "s2.bin"]);
    expect(await runningTaskArns(env)).toEqual([]);
    // The resume aborted what the killed run left open, said so, and S3 holds no upload of the job.
    const cleaned = rec.of("multipart.closed").filter((e) => e.fromRunId !== undefined);
    expect(cleaned.map((e) => e.uploadId).sort()).toEqual([...leftOpen].sort());
    expect(
      cleaned.every((e) => e.outcome === "aborted" && e.fromRunId === rec.of("run.started")[0]?.resumedFrom),
    ).toBe(true);
    expect(await openUploads(tag)).toEqual([]);
  }, 120_000);
});
