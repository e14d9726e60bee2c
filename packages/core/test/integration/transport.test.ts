import { createHash, X509Certificate } from "node:crypto";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  CLUSTER,
  type Env,
  expectCleanFinish,
  recorder,
  registerWorker,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

/** Our own worker process (TLS with the run's certificate, bearer checked by hash), run by the local endpoint. */
const FAKE_WORKER = fileURLToPath(new URL("../fixtures/fake-worker.mjs", import.meta.url));
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function recordedTokens(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".auth"));
  return [...new Set(await Promise.all(files.map((f) => readFile(join(dir, f), "utf8"))))];
}

describe("the orchestrator ↔ worker transport on the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  const start = () => startEnv({ images: [{ match: "*", command: [process.execPath, FAKE_WORKER] }] });

  it("keeps the bearer token out of DescribeTasks: the task shows only its SHA-256 and the run's certificate", async () => {
    env = await start();
    const recordDir = join(env.dir, "auth");
    await mkdir(recordDir, { recursive: true });
    const td = await registerWorker(env, "fake", { FAKE_RECORD_DIR: recordDir });
    const segments = await syntheticInputs(env, 2);
    const result = await executeParallelBatches({ ...baseOptions(env, td, segments), maxParallelTasks: 1 });
    expect(result.succeeded).toBe(2);

    // The worker learnt the token the only way it can: from the orchestrator's requests, inside TLS.
    const [token, ...others] = await recordedTokens(recordDir);
    expect(others).toEqual([]);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const described = await env.ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: result.tasks.map((t) => t.taskArn) }),
    );
    const everything = JSON.stringify(described);
    expect(described.tasks).toHaveLength(1);
    expect(everything).not.toContain(token);
    expect(everything).toContain(sha256(token as string));

    const overrides = described.tasks?.[0]?.overrides?.containerOverrides?.[0]?.environment ?? [];
    const byName = Object.fromEntries(overrides.map((e) => [e.name, e.value]));
    expect(Object.keys(byName).sort()).toEqual([
      "FANOUT_RUN_ID",
      "FANOUT_TLS_CERT",
      "FANOUT_TLS_KEY",
      "FANOUT_TOKEN_SHA256",
    ]);
    expect(byName.FANOUT_TOKEN_SHA256).toBe(sha256(token as string));
    expect(byName.FANOUT_RUN_ID).toBe(result.runId);
    const cert = new X509Certificate(Buffer.from(byName.FANOUT_TLS_CERT as string, "base64"));
    expect(cert.subject).toBe("CN=ecs-fanout worker");
  });

  it("with the plain-HTTP opt-out tells the worker so and hands it no key", async () => {
    env = await start();
    const td = await registerWorker(env, "fake-plain");
    const segments = await syntheticInputs(env, 1);
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      maxParallelTasks: 1,
      transport: { insecurePlainHttp: true },
    });
    expect(result.succeeded).toBe(1);
    const described = await env.ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: result.tasks.map((t) => t.taskArn) }),
    );
    const names = (described.tasks?.[0]?.overrides?.containerOverrides?.[0]?.environment ?? []).map(
      (e) => e.name,
    );
    expect(names.sort()).toEqual(["FANOUT_INSECURE_PLAIN_HTTP", "FANOUT_RUN_ID", "FANOUT_TOKEN_SHA256"]);
  });

  it("fails the attempt of a worker that streams past the declared size and finishes the segment on a replacement", async () => {
    env = await start();
    const td = await registerWorker(env, "fake-liar", {
      FAKE_MODE: "oversize",
      FAKE_LIAR_FILE: join(env.dir, "liar"),
    });
    const segments = await syntheticInputs(env, 1);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      maxParallelTasks: 1,
      onEvent: rec.onEvent,
    });
    const failed = rec.of("segment.failed");
    expect(failed).toHaveLength(1);
    // A lying worker is a lost task (stopped, replaced), with the reason in the message.
    expect(failed[0]).toMatchObject({ code: "TASK_LOST", willRetry: true });
    expect(failed[0]?.message).toMatch(/more than the 4096 bytes declared arrived/);
    expect(result.tasks).toHaveLength(2);
    expect(result.segments[0]?.taskArn).not.toBe(failed[0]?.taskArn);
    // The honest replacement echoes the input: exactly its bytes, nothing partial left behind.
    await expectCleanFinish(env, result.segments, ["seg-000"]);
    expect(await readFile(result.segments[0]?.outputPath as string)).toEqual(Buffer.alloc(4096, 0));
  });
});
