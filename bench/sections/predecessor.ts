import path from "node:path";
import { executeParallelBatches } from "ecs-fanout";
import { bundleWorker } from "../lib/bundle-worker.js";
import { startStack, syntheticSegments } from "../lib/stack.js";
import { type BenchSection, round } from "../lib/types.js";

/** Published by CloudBurst Fargate, the Python predecessor: 8 scenes, 4 tasks × 2 scenes, 16 min → 9 min. */
const PREDECESSOR = { segments: 8, tasks: 4, speedup: 1.8 };

export const predecessor: BenchSection = {
  id: "predecessor",
  title: "The predecessor's scenario: 8 segments on 4 tasks",
  async run({ smoke, seed, workDir, log, signal }) {
    // The predecessor's numbers: ~2 min per scene, ~30 s start-up, scaled by 1/15 (smoke: smaller still).
    const ms = smoke ? 600 : 8000;
    const startup = smoke ? { min: 100, max: 150 } : { min: 1000, max: 2000 };
    const specs = Array.from({ length: PREDECESSOR.segments }, (_, i) => ({ id: `scene-${i + 1}`, ms }));
    const segments = await syntheticSegments(path.join(workDir, "inputs"), specs);
    const stack = await startStack({
      workerBundle: await bundleWorker(workDir),
      faults: { seed, startupDelayMs: startup },
    });
    try {
      log(`[predecessor] ${PREDECESSOR.segments} segments of ${ms} ms on ${PREDECESSOR.tasks} tasks`);
      const result = await executeParallelBatches({
        signal,
        cluster: stack.cluster,
        taskDefinition: stack.taskDefinition,
        network: stack.network,
        outputDir: path.join(workDir, "out"),
        aws: stack.local.clientConfig,
        segments,
        maxParallelTasks: PREDECESSOR.tasks,
        segmentsPerBatch: 2,
        pollIntervalMs: 1000,
      });
      if (result.failed > 0)
        throw new Error(`${result.failed} segments failed: ${result.failures[0]?.error?.message}`);
      const m = result.metrics;
      return {
        method:
          `The predecessor's published shape (CloudBurst Fargate: 8 scenes, 4 tasks × 2 scenes, reported 1.8×) on the local ` +
          `stack: 8 synthetic segments of ${ms} ms, 4 tasks, start-up delayed ${startup.min}–${startup.max} ms — its ` +
          "≈ 2 min per scene and ≈ 30 s start-up scaled down by the same factor. speedupFactor = sequential " +
          "estimate (one task's start-up + every segment's upload + process + download) / wall time, as core " +
          "reports it; parallel efficiency = speedup / tasks.",
        status: "measured",
        metrics: [
          { name: "tasks", value: result.plannedTasks },
          { name: "wall time", value: round(m.wallSeconds, 2), unit: "s" },
          { name: "mean start-up", value: round(m.startupSeconds, 2), unit: "s" },
          { name: "sequential estimate", value: round(m.sequentialEstimateSeconds, 2), unit: "s" },
          { name: "our speedup", value: round(m.speedupFactor, 2) },
          { name: "ideal speedup for this shape", value: round(m.idealSpeedup, 2) },
          { name: "our parallel efficiency", value: round(m.parallelEfficiency, 2) },
          { name: "predecessor's reported speedup", value: PREDECESSOR.speedup },
          {
            name: "predecessor's parallel efficiency",
            value: round(PREDECESSOR.speedup / PREDECESSOR.tasks, 2),
          },
          {
            name: "processing efficiency (processor-busy / billed)",
            value: round(m.processingEfficiency, 3),
          },
        ],
        targets: [],
        notes: [
          `Same shape, ${round(m.speedupFactor / PREDECESSOR.speedup, 2)}× the predecessor's reported speedup; ${round((m.speedupFactor / m.idealSpeedup) * 100, 1)} % of the ideal speedup for this shape.`,
          "Billed seconds use the 60 s Fargate minimum on local timestamps, so processing efficiency here is dominated by the minimum charge of a scaled-down run.",
        ],
        raw: {
          metrics: m,
          tasks: result.tasks.map((t) => ({ arn: t.taskArn, readyAt: t.readyAt, stoppedAt: t.stoppedAt })),
        },
      };
    } finally {
      await stack.close();
    }
  },
};
