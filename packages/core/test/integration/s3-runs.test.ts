import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import { executeParallelBatches, type Segment } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeS3Client } from "../../src/s3/client.js";
import {
  baseOptions,
  type Env,
  recorder,
  registerWorker,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

// Whole runs on the S3 plane: the local ECS endpoint launching real worker processes, the local
// S3 (s3rver, signatures checked), every input × output combination.

const BUCKET = "runs";
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let env: Env;
let s3: LocalS3;
let client: S3Client;
let td: string;

beforeAll(async () => {
  env = await startEnv();
  s3 = await startLocalS3({ buckets: [BUCKET] });
  client = makeS3Client(
    { region: s3.region, credentials: s3.clientConfig.credentials },
    { endpoint: s3.endpoint },
  );
  td = await registerWorker(env, "synthetic-s3", { FANOUT_ENABLE_SYNTHETIC: "1" });
});
afterAll(async () => {
  client?.destroy();
  await s3?.close();
  await env?.close();
});

const object = async (key: string) => {
  const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(
    await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
};

async function s3Inputs(n: number): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const body = Buffer.alloc(5000, 100 + i);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `in/s${i}.bin`, Body: body }));
    segments.push({ id: `s${i}`, input: { s3: `s3://${BUCKET}/in/s${i}.bin`, sha256: sha(body) } });
  }
  return segments;
}

const params = { processor: "synthetic", ms: 20, bytes: 7000 };

describe("runs on the S3 plane", () => {
  it.each([
    ["local input, S3 output (no outputDir)", "local", "s3"],
    ["S3 input, local output", "s3", "local"],
    ["S3 input, S3 output streamed to outputDir too", "s3", "both"],
    ["staged local input, S3 output", "stage", "s3"],
  ] as const)("%s", async (_name, from, to) => {
    const segments = from === "s3" ? await s3Inputs(2) : await syntheticInputs(env, 2);
    const prefix = `out/${from}-${to}/`;
    const rec = recorder();
    const base = baseOptions(env, td, segments);
    const result = await executeParallelBatches({
      ...base,
      ...(to === "s3" ? { outputDir: undefined } : {}),
      ...(to === "local" ? {} : { outputs: { s3: `s3://${BUCKET}/${prefix}` } }),
      ...(from === "stage" ? { stage: `s3://${BUCKET}/stage/` } : {}),
      manifest: join(env.dir, `manifest-${from}-${to}.jsonl`),
      clients: { s3: client },
      params,
      maxParallelTasks: 2,
      onEvent: rec.onEvent,
    });
    expect(result.failed, JSON.stringify(result.failures)).toBe(0);
    for (const s of result.segments) {
      if (to !== "local") {
        expect(s.s3?.uri).toBe(`s3://${BUCKET}/${prefix}${s.id}.bin`);
        const body = await object(`${prefix}${s.id}.bin`);
        expect(sha(body)).toBe(s.s3?.sha256);
        expect(body.length).toBe(7000);
      }
      if (to !== "s3") expect(sha(await readFile(s.outputPath as string))).toBe(s.sha256);
      else expect(s.outputPath).toBeUndefined();
    }
    // S3 input: no input byte went through the orchestrator's link to the task.
    const uploaded = rec.of("segment.uploaded").reduce((n, e) => n + e.bytes, 0);
    if (from !== "local") expect(uploaded).toBe(0);
    if (from === "stage")
      expect(rec.of("stage.progress").at(-1)).toMatchObject({ done: true, objectsDone: 2 });
    // Never a presigned URL in an event, the manifest or the result.
    const manifest = await readFile(join(env.dir, `manifest-${from}-${to}.jsonl`), "utf8");
    for (const text of [manifest, JSON.stringify(rec.events), JSON.stringify(result)])
      expect(text).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
    // Every S3 request counted once, in its price tier: per attempt a presigned GET of an S3 or
    // staged input, a presigned PUT of an S3 output and the HEAD that checks it, a GetObject when
    // it also streams to outputDir; staging PUTs each input once.
    const attempts = result.segments.reduce((n, s) => n + s.attempts, 0);
    const readsInput = from === "local" ? 0 : 1;
    const perAttempt = {
      put: to === "local" ? 0 : 1,
      get: readsInput + (to === "local" ? 0 : 1) + (to === "both" ? 1 : 0),
    };
    expect(result.metrics.s3Requests).toEqual({
      put: attempts * perAttempt.put + (from === "stage" ? segments.length : 0),
      get: attempts * perAttempt.get,
      costUsd: expect.any(Number),
    });
    expect(await runningTaskArns(env)).toEqual([]);
    // Nothing half-written is left in the bucket either.
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it("a resumed run reuses S3 outputs that landed (checked by HEAD) and redoes one that changed", async () => {
    const segments = await s3Inputs(2);
    const manifest = join(env.dir, "manifest-resume.jsonl");
    const options = {
      ...baseOptions(env, td, segments),
      outputDir: undefined,
      outputs: { s3: `s3://${BUCKET}/resumed/` },
      manifest,
      clients: { s3: client },
      params,
    };
    const first = await executeParallelBatches(options);
    expect(first.succeeded).toBe(2);
    // One output is overwritten behind the run's back: its recorded checksum no longer holds.
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "resumed/s1.bin", Body: Buffer.alloc(7000, 1) }),
    );
    const rec = recorder();
    const second = await executeParallelBatches({ ...options, resume: true, onEvent: rec.onEvent });
    expect(second.succeeded).toBe(2);
    expect(rec.of("segment.resumed").map((e) => e.segmentId)).toEqual(["s0"]);
    expect(rec.of("segment.downloaded").map((e) => e.segmentId)).toEqual(["s1"]);
    expect(sha(await object("resumed/s1.bin"))).toBe(second.segments.find((s) => s.id === "s1")?.sha256);
  });

  it("a resumed run with other processor params makes every output again; resumed again with the same ones, reuses them", async () => {
    const segments = await syntheticInputs(env, 2);
    const options = {
      ...baseOptions(env, td, segments),
      outputDir: join(env.dir, "out-params"),
      manifest: join(env.dir, "manifest-params.jsonl"),
      clients: { s3: client },
      params,
    };
    expect((await executeParallelBatches(options)).succeeded).toBe(2);
    const resumeWith = async (given: typeof params) => {
      const events = recorder();
      const result = await executeParallelBatches({
        ...options,
        params: given,
        resume: true,
        onEvent: events.onEvent,
      });
      return { rec: events, result };
    };
    const other = { ...params, bytes: 9000 };
    const { rec, result: second } = await resumeWith(other);
    expect(second.succeeded).toBe(2);
    // Intact outputs, but made with 7000-byte params: none is this run's.
    expect(rec.of("segment.resumed")).toEqual([]);
    for (const s of second.segments) expect((await readFile(s.outputPath as string)).length).toBe(9000);
    const { rec: again, result: third } = await resumeWith(other);
    expect(third.succeeded).toBe(2);
    expect(
      again
        .of("segment.resumed")
        .map((e) => e.segmentId)
        .sort(),
    ).toEqual(segments.map((s) => s.id).sort());
    expect(again.of("segment.downloaded")).toEqual([]);
  });

  it("fails a segment whose S3 input is missing clearly, after its retries, with no URL in the error", async () => {
    const segments: Segment[] = [
      ...(await s3Inputs(1)),
      { id: "gone", input: { s3: `s3://${BUCKET}/in/missing.bin` } },
    ];
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      outputDir: undefined,
      outputs: { s3: `s3://${BUCKET}/faults/` },
      clients: { s3: client },
      params,
      retry: { segmentAttempts: 2, minBackoffMs: 50, maxBackoffMs: 500 },
      onEvent: rec.onEvent,
    });
    expect(result.succeeded).toBe(1);
    expect(result.failures.map((f) => f.id)).toEqual(["gone"]);
    expect(result.failures[0]?.attempts).toBe(2);
    expect(rec.of("segment.failed").map((e) => e.willRetry)).toEqual([true, false]);
    expect(JSON.stringify([result, rec.events])).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
  });
});
