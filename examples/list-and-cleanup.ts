/**
 * Find the tasks ecs-fanout started and stop the stale ones: listTasks and cleanupStaleTasks.
 * Both find tasks by `startedBy` (one paginated ListTasks call), then keep only tasks that also
 * carry the managed-by tag, so tasks that are not ours are never touched.
 *
 *   pnpm example:list-and-cleanup
 *
 * On the local endpoint there is nothing running yet, so the example starts a run of slow
 * synthetic segments, lists its tasks while they work, shows what cleanup would stop (dry run),
 * then aborts the run — which stops every task — and lists again to show none is left.
 *
 * Environment:
 *   ECS_FANOUT_CLUSTER   list and clean up on real AWS in this cluster (AWS_REGION / AWS_PROFILE apply)
 *   OLDER_THAN_SECONDS   on AWS, only tasks older than this (default 7200)
 *   CLEANUP=1            on AWS, really stop them (default: dry run)
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanupStaleTasks, listTasks, runParallelBatches } from "ecs-fanout";
import { exampleTarget } from "./support/target.js";

const target = await exampleTarget();
const where = { cluster: target.cluster, aws: target.aws };

function show(
  label: string,
  tasks: ReadonlyArray<{ taskArn: string; lastStatus?: string; ageSeconds?: number }>,
) {
  console.log(`${label}: ${tasks.length}`);
  for (const t of tasks) {
    console.log(
      `  ${t.taskArn.split("/").pop()}  ${t.lastStatus ?? "?"}  ${Math.round(t.ageSeconds ?? 0)}s old`,
    );
  }
}

try {
  if (target.kind === "aws") {
    show("our running tasks", await listTasks(where));
    const olderThanSeconds = Number(process.env.OLDER_THAN_SECONDS ?? 7200);
    const dryRun = process.env.CLEANUP !== "1";
    const outcome = await cleanupStaleTasks({ ...where, olderThanSeconds, dryRun });
    const count = dryRun ? outcome.matched.length : outcome.stopped.length;
    console.log(`${dryRun ? "would stop" : "stopped"}: ${count}; left alone: ${outcome.skipped.length}`);
    console.log("ok");
  } else {
    const work = await mkdtemp(join(tmpdir(), "example-cleanup-"));
    const controller = new AbortController();
    try {
      const segments = [];
      for (let i = 0; i < 4; i++) {
        const path = join(work, `item-${i}.txt`);
        await writeFile(path, `item ${i}\n`);
        segments.push({ id: `slow-${i}`, input: { path } });
      }
      let ready = 0;
      let onReady: () => void = () => {};
      const allReady = new Promise<void>((resolve) => {
        onReady = resolve;
      });
      const run = runParallelBatches({
        segments,
        params: { processor: "synthetic", ms: 4_000, bytes: 64 },
        outputDir: join(work, "out"),
        cluster: target.cluster,
        taskDefinition: target.taskDefinition,
        launch: target.launch,
        network: target.network,
        aws: target.aws,
        overrides: { environment: { FANOUT_ENABLE_SYNTHETIC: "1" } },
        maxParallelTasks: 2,
        segmentsPerBatch: 2,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === "task.ready" && ++ready === 2) onReady();
        },
      });
      const settled = run.done.then(
        () => "finished",
        () => "aborted",
      );
      await allReady;

      show("our running tasks", await listTasks({ ...where, runId: run.runId }));
      const preview = await cleanupStaleTasks({ ...where, runId: run.runId, dryRun: true });
      console.log(`cleanup --run-id ${run.runId} --dry-run would stop ${preview.matched.length} task(s)`);

      controller.abort(new Error("example done"));
      console.log(`run ${await settled}: the run stops its own tasks when aborted`);
      const left = (await listTasks(where)).filter((t) => t.lastStatus !== "STOPPED");
      show("still running", left);
      if (preview.matched.length !== 2 || left.length !== 0) throw new Error("unexpected task counts");
      console.log("ok");
    } finally {
      controller.abort();
      await rm(work, { recursive: true, force: true });
    }
  }
} finally {
  await target.close();
}
