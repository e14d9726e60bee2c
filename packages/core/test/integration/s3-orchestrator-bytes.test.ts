import { createHash } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import { executeParallelBatches, type Segment } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeS3Client } from "../../src/s3/client.js";
import { baseOptions, type Env, registerWorker, startEnv, syntheticInputs } from "./helpers.js";
import { meterClientSockets, type SocketBytes } from "./socket-meter.js";

// How many bytes go through the orchestrator, measured on its own sockets: every client socket
// this process opens during the run (ECS calls, the pinned connections to the workers, its own S3
// requests). The workers are other processes; their S3 traffic is not on these sockets.

const BUCKET = "bytes";
const MiB = 1024 * 1024;
const SEGMENT_BYTES = 8 * MiB;
const SEGMENTS = 2;
/** What the segments weigh, in and out. */
const PAYLOAD = 2 * SEGMENTS * SEGMENT_BYTES;

let env: Env;
let s3: LocalS3;
let td: string;

beforeAll(async () => {
  env = await startEnv();
  s3 = await startLocalS3({ buckets: [BUCKET] });
  td = await registerWorker(env, "synthetic-bytes", { FANOUT_ENABLE_SYNTHETIC: "1" });
});
afterAll(async () => {
  await s3?.close();
  await env?.close();
});

const newClient = (): S3Client =>
  makeS3Client({ region: s3.region, credentials: s3.clientConfig.credentials }, { endpoint: s3.endpoint });

/** Runs `segments` with a fresh S3 client (its sockets are the run's), metering this process. */
async function metered(
  segments: Segment[],
  extra: { outputs?: { s3: string }; outputDir?: string | undefined },
): Promise<SocketBytes> {
  const client = newClient();
  const meter = meterClientSockets();
  try {
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      ...extra,
      clients: { s3: client },
      params: { processor: "synthetic", ms: 20, bytes: SEGMENT_BYTES },
      maxParallelTasks: SEGMENTS,
    });
    expect(result.succeeded, JSON.stringify(result.failures)).toBe(SEGMENTS);
    return meter.bytes();
  } finally {
    meter.stop();
    client.destroy();
  }
}

describe("bytes through the orchestrator", () => {
  it("carries only control traffic for an S3-in, S3-out run, against the whole payload on the direct plane", async () => {
    const seed = newClient();
    const inputs: Segment[] = [];
    for (let i = 0; i < SEGMENTS; i++) {
      const body = Buffer.alloc(SEGMENT_BYTES, 40 + i);
      await seed.send(new PutObjectCommand({ Bucket: BUCKET, Key: `in/b${i}.bin`, Body: body }));
      const sha256 = createHash("sha256").update(body).digest("hex");
      inputs.push({ id: `b${i}`, input: { s3: `s3://${BUCKET}/in/b${i}.bin`, sha256 } });
    }
    seed.destroy();

    const viaS3 = await metered(inputs, { outputs: { s3: `s3://${BUCKET}/out/` }, outputDir: undefined });
    const direct = await metered(await syntheticInputs(env, SEGMENTS, SEGMENT_BYTES), {});
    const total = (b: SocketBytes) => b.read + b.written;
    const port = (url: string) => Number(new URL(url).port);
    const toS3 = viaS3.byPort.get(port(s3.endpoint)) ?? 0;
    const toEcs = viaS3.byPort.get(port(env.local.endpoint)) ?? 0;
    const toWorkers = total(viaS3) - toS3 - toEcs;
    console.info(
      `bytes through the orchestrator for ${PAYLOAD / MiB} MiB of segments: S3 plane ${total(viaS3)} ` +
        `(S3 ${toS3}, workers ${toWorkers}, ECS ${toEcs}; ${viaS3.sockets} sockets), direct plane ${total(direct)}`,
    );
    // The meter sees the payload when it does go through this process…
    expect(direct.written).toBeGreaterThanOrEqual(SEGMENTS * SEGMENT_BYTES);
    expect(direct.read).toBeGreaterThanOrEqual(SEGMENTS * SEGMENT_BYTES);
    // …and on the S3 plane none of it: S3 sees the orchestrator's HEADs and no segment byte, the
    // workers get job specs with presigned URLs and answer statuses; the rest is ECS's API (its
    // polling, which grows with the run's length, not with its bytes).
    expect(toS3).toBeLessThan(16 * 1024);
    expect(toWorkers).toBeLessThan(128 * 1024);
  }, 120_000);
});
