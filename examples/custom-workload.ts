/**
 * Any work, not just video: fan out plain files through the worker's synthetic processor and
 * handle each result the moment it is on disk, while the rest are still running
 * (runParallelBatches streams results; `done` resolves with the final metrics).
 *
 *   pnpm example:custom-workload
 *
 * The synthetic processor sleeps and writes deterministic bytes; it exists for benchmarks and
 * tests and is only enabled when the worker's environment has FANOUT_ENABLE_SYNTHETIC=1 (this
 * example passes it as a task environment override). Swap `params` for your own processor's.
 *
 * Environment:
 *   ITEMS=<n>             how many work items (default 8)
 *   TASKS=<n>             most tasks at once (default 3)
 *   ECS_FANOUT_CLUSTER, ECS_FANOUT_TASK_DEFINITION, ECS_FANOUT_SUBNETS, ECS_FANOUT_SECURITY_GROUPS,
 *   ECS_FANOUT_PUBLIC_IP=1, AWS_REGION / AWS_PROFILE
 *                         run on real AWS (see support/target.ts); otherwise the local endpoint.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runParallelBatches } from "ecs-fanout";
import { exampleTarget } from "./support/target.js";

const work = await mkdtemp(join(tmpdir(), "example-custom-"));
const target = await exampleTarget();
try {
  const items = Number(process.env.ITEMS ?? 8);
  const tasks = Number(process.env.TASKS ?? 3);
  const segments = [];
  for (let i = 0; i < items; i++) {
    const path = join(work, `item-${i}.json`);
    await writeFile(path, JSON.stringify({ item: i, payload: "x".repeat(1000 * (i + 1)) }));
    // Per-segment params merge over the run's: here each item takes a different time.
    segments.push({
      id: `item-${i}`,
      input: { path },
      params: { ms: 150 + 100 * (i % 3), seed: `item-${i}` },
    });
  }

  const run = runParallelBatches({
    segments,
    params: { processor: "synthetic", bytes: 4096 },
    outputDir: join(work, "results"),
    cluster: target.cluster,
    taskDefinition: target.taskDefinition,
    launch: target.launch,
    network: target.network,
    aws: target.aws,
    overrides: { environment: { FANOUT_ENABLE_SYNTHETIC: "1" } },
    maxParallelTasks: tasks,
    segmentsPerBatch: Math.ceil(items / tasks),
    handleSignals: true,
  });

  let received = 0;
  for await (const result of run.results) {
    received += 1;
    if (result.status === "succeeded") {
      const bytes = await readFile(result.outputPath!);
      console.log(
        `${result.id}: ${bytes.length} bytes, sha256 ${result.sha256?.slice(0, 12)}…, ` +
          `processed in ${result.timings?.processMs ?? "?"} ms (${received}/${items} in)`,
      );
    } else {
      console.log(`${result.id}: failed after ${result.attempts} attempts: ${result.error?.message}`);
    }
  }
  const final = await run.done;
  const m = final.metrics;
  console.log(
    `${final.succeeded}/${items} items on ${final.tasksLaunched} tasks in ${m.wallSeconds.toFixed(1)}s; ` +
      `speedup ${m.speedupFactor.toFixed(2)}×, processing efficiency ${(m.processingEfficiency * 100).toFixed(0)}%`,
  );
  if (final.failed > 0 || received !== items) throw new Error("some items failed");
  console.log("ok");
} finally {
  await target.close();
  await rm(work, { recursive: true, force: true });
}
