import { join } from "node:path";
import { generateTestVideo, probe, splitVideo } from "@ecs-fanout/video";
import { executeParallelBatches } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { baseOptions, type Env, expectCleanFinish, recorder, registerWorker, startEnv } from "./helpers.js";

describe("ffmpeg-scale end to end on the local endpoint", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("upscales 12 segments over 3 tasks and every output probes at twice the size", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "ffmpeg");
    const source = join(env.dir, "source.mp4");
    await generateTestVideo({ output: source, seconds: 12, width: 160, height: 96, fps: 10, audio: false });
    const pieces = await splitVideo(source, { outputDir: env.inputDir, segmentSeconds: 1, mode: "exact" });
    expect(pieces).toHaveLength(12);
    const segments = pieces.map((p) => ({
      id: `part-${String(p.index).padStart(2, "0")}`,
      input: { path: p.path },
    }));
    const rec = recorder();
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "ffmpeg-scale", scale: 2, preset: "ultrafast" },
      maxParallelTasks: 3,
      segmentsPerBatch: 4,
      onEvent: rec.onEvent,
    });
    expect(result.plannedTasks).toBe(3);
    expect(result.failed).toBe(0);
    for (const s of result.segments) {
      const info = await probe(s.outputPath as string);
      expect([info.width, info.height]).toEqual([320, 192]);
      expect(info.videoCodec).toBe("h264");
      expect(info.durationSeconds).toBeGreaterThan(0.5);
    }
    // Every task took work from the shared queue, and the metrics add up.
    expect(new Set(result.segments.map((s) => s.taskArn)).size).toBe(3);
    expect(result.metrics.sequentialEstimateSeconds).toBeGreaterThan(result.metrics.workSeconds);
    expect(result.metrics.totalCostUsd).toBeGreaterThan(0);
    expect(result.tasks.every((t) => t.stoppedAt !== undefined && t.billedSeconds >= 60)).toBe(true);
    expect(rec.of("segment.downloaded")).toHaveLength(12);
    await expectCleanFinish(
      env,
      result.segments,
      segments.map((s) => s.id),
    );
  });
});
