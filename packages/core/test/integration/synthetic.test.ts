import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import {
  baseOptions,
  type Env,
  outputFiles,
  recorder,
  registerWorker,
  runningTaskArns,
  startEnv,
  syntheticInputs,
} from "./helpers.js";

const sha = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

describe("synthetic runs on the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("processes every segment over three tasks and leaves nothing running", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 9);
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", ms: 100, bytes: 20000 },
      maxParallelTasks: 3,
      segmentsPerBatch: 3,
      onEvent: rec.onEvent,
    });
    expect(result.failed).toBe(0);
    expect(result.succeeded).toBe(9);
    expect(result.plannedTasks).toBe(3);
    for (const s of result.segments) {
      expect(s.outputPath).toBe(join(env.outputDir, `${s.id}.bin`));
      expect(await sha(s.outputPath as string)).toBe(s.sha256);
    }
    expect(await outputFiles(env)).toEqual(segments.map((s) => `${s.id}.bin`));
    expect(await runningTaskArns(env)).toEqual([]);
    console.log(JSON.stringify(result.metrics, null, 1), rec.events.map((e) => e.type).join(" "));
  });
});
