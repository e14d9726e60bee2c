/**
 * Part of the S3 benchmark: bytes through the orchestrator for an S3-in, S3-out run, measured on
 * the client sockets of this process (the orchestrator's: ECS calls, its connections to the
 * workers, its own S3 requests) while a whole run goes through the local stack and the local S3.
 */
import { createHash } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { executeParallelBatches, type Segment } from "ecs-fanout";
import { makeS3Client } from "../../packages/core/src/s3/client.js";
import { meterClientSockets } from "../../packages/core/test/integration/socket-meter.js";
import { LOCAL_S3_CREDENTIALS } from "../../packages/local/src/index.js";
import { startStack } from "../lib/stack.js";
import type { BenchContext } from "../lib/types.js";

export interface OrchestratorBytes {
  /** Segment bytes in and out, together. */
  payload: number;
  /** Bytes on the orchestrator's sockets to S3, to the workers, and to the ECS API. */
  toS3: number;
  toWorkers: number;
  toEcs: number;
}

export async function measureOrchestratorBytes(
  ctx: BenchContext,
  s3: { endpoint: string; region: string; bucket: string },
  segmentBytes: number,
  segments = 2,
): Promise<OrchestratorBytes> {
  const stack = await startStack({ cluster: "s3-bytes", family: "s3-bytes-worker" });
  const client = makeS3Client(
    { region: s3.region, credentials: { ...LOCAL_S3_CREDENTIALS } },
    { endpoint: s3.endpoint },
  );
  try {
    const inputs: Segment[] = [];
    for (let i = 0; i < segments; i++) {
      const body = Buffer.alloc(segmentBytes, 40 + i);
      const key = `bytes/in/b${i}.bin`;
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
      const sha256 = createHash("sha256").update(body).digest("hex");
      inputs.push({ id: `b${i}`, input: { s3: `s3://${s3.bucket}/${key}`, sha256 } });
    }
    // A fresh client for the run: its sockets open under the meter.
    const runClient = makeS3Client(
      { region: s3.region, credentials: { ...LOCAL_S3_CREDENTIALS } },
      { endpoint: s3.endpoint },
    );
    const meter = meterClientSockets();
    try {
      const result = await executeParallelBatches({
        segments: inputs,
        cluster: stack.cluster,
        taskDefinition: stack.taskDefinition,
        network: stack.network,
        aws: stack.local.clientConfig,
        outputs: { s3: `s3://${s3.bucket}/bytes/out/` },
        clients: { s3: runClient },
        params: { processor: "synthetic", bytes: segmentBytes },
        maxParallelTasks: segments,
        pollIntervalMs: 1000,
        signal: ctx.signal,
      });
      if (result.failed > 0) throw new Error(`S3 run failed: ${JSON.stringify(result.failures)}`);
      const measured = meter.bytes();
      const at = (url: string) => measured.byPort.get(Number(new URL(url).port)) ?? 0;
      const toS3 = at(s3.endpoint);
      const toEcs = at(stack.local.endpoint);
      return {
        payload: 2 * segments * segmentBytes,
        toS3,
        toEcs,
        toWorkers: measured.read + measured.written - toS3 - toEcs,
      };
    } finally {
      meter.stop();
      runClient.destroy();
    }
  } finally {
    client.destroy();
    await stack.close();
  }
}
