import { createReadStream } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import { executeParallelBatches, RunInterruptedError } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  type Env,
  expectCleanFinish,
  recorder,
  registerWorker,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

const SYNTHETIC = { processor: "synthetic", ms: 200, bytes: 6000 };

describe("inputs, endpoints and signals", () => {
  let env: Env | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
    await env?.close();
    env = undefined;
  });

  it("reaches workers on their public IP when the run asks for the public endpoint", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 2);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      network: { subnets: ["subnet-0a11ed0000000001a"], assignPublicIp: true, endpoint: "public" },
      params: SYNTHETIC,
      maxParallelTasks: 2,
      onEvent: rec.onEvent,
    });
    const hosts = rec.of("task.running").map((e) => e.host);
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    for (const host of hosts) expect(host).toMatch(/^127\.0\.2\./);
    await expectCleanFinish(env, result.segments, ["seg-000", "seg-001"]);
  });

  it("streams inputs from URLs through to the workers", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const files = await syntheticInputs(env, 3);
    const inputDir = env.inputDir;
    server = createServer((req, res) => {
      const path = join(inputDir, basename(req.url ?? ""));
      res.writeHead(200, { "content-type": "application/octet-stream" });
      createReadStream(path).pipe(res);
    });
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const segments = files.map((s) => ({ id: s.id, input: { url: `http://127.0.0.1:${port}/${s.id}.bin` } }));
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: SYNTHETIC,
      maxParallelTasks: 2,
    });
    expect(result.segments.map((s) => s.outputPath?.endsWith(".bin"))).toEqual([true, true, true]);
    await expectCleanFinish(env, result.segments, ["seg-000", "seg-001", "seg-002"]);
  });

  it("with handleSignals, stops every task on SIGINT and rejects with RunInterruptedError", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 6);
    const before = new Set(process.listeners("SIGINT"));
    let fired = false;
    const run = executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { ...SYNTHETIC, ms: 500 },
      maxParallelTasks: 3,
      handleSignals: true,
      onEvent: (e) => {
        if (e.type !== "segment.started" || fired) return;
        fired = true;
        // Call only the listener the run installed (emitting SIGINT would reach the test runner too).
        const ours = process.listeners("SIGINT").filter((l) => !before.has(l));
        expect(ours).toHaveLength(1);
        (ours[0] as (s: NodeJS.Signals) => void)("SIGINT");
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunInterruptedError);
    expect((error as RunInterruptedError).signal).toBe("SIGINT");
    expect(await runningTaskArns(env)).toEqual([]);
    expect(process.listeners("SIGINT").filter((l) => !before.has(l))).toEqual([]);
  });
});
