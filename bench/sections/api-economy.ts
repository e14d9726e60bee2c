import { readFile } from "node:fs/promises";
import path from "node:path";
import { executeParallelBatches, type FanoutEvent } from "ecs-fanout";
import { bundleWorker } from "../lib/bundle-worker.js";
import { startStack, syntheticSegments } from "../lib/stack.js";
import { type BenchSection, round, target } from "../lib/types.js";

/** Core's default DescribeTasks interval (BatchRunOptions.pollIntervalMs). */
const POLL_INTERVAL_MS = 3000;

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [action, count] of Object.entries(after)) {
    const delta = count - (before[action] ?? 0);
    if (delta > 0) out[action] = delta;
  }
  return out;
}

/** Most calls counted in any window of `windowMs` (samples of a monotonically growing counter). */
function maxInWindow(samples: ReadonlyArray<{ t: number; describe: number }>, windowMs: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    const start = samples[i] as { t: number; describe: number };
    const base = i === 0 ? start.describe : (samples[i - 1] as { describe: number }).describe;
    while (j + 1 < samples.length && (samples[j + 1] as { t: number }).t - start.t <= windowMs) j++;
    best = Math.max(best, (samples[Math.max(i, j)] as { describe: number }).describe - base);
  }
  return best;
}

export const apiEconomy: BenchSection = {
  id: "api-economy",
  title: "API economy",
  async run({ smoke, seed, workDir, log, signal }) {
    const tasks = smoke ? 4 : 100;
    const perTask = 3;
    const ms = smoke ? 200 : 3000;
    const specs = Array.from({ length: tasks * perTask }, (_, i) => ({
      id: `api-${String(i).padStart(3, "0")}`,
      ms,
    }));
    const segments = await syntheticSegments(path.join(workDir, "inputs"), specs);
    const logDir = path.join(workDir, "logs");
    const stack = await startStack({
      workerBundle: await bundleWorker(workDir),
      faults: { seed },
      logDir,
      rateLimits: true,
    });
    try {
      const before = stack.local.stats();
      const started = Date.now();
      // The endpoint counts calls; sampling the counter gives when they happened (50 ms resolution).
      const samples: Array<{ t: number; describe: number }> = [];
      const sample = () =>
        samples.push({ t: Date.now(), describe: stack.local.stats().calls["DescribeTasks"] ?? 0 });
      const sampler = setInterval(sample, 50);
      const events: FanoutEvent[] = [];
      // RunTask calls made for the planned tasks: counted when the first replacement is launched.
      let runTaskBeforeReplacements: number | undefined;
      const onEvent = (event: FanoutEvent) => {
        events.push(event);
        if (
          event.type === "task.launched" &&
          event.replacementFor &&
          runTaskBeforeReplacements === undefined
        ) {
          runTaskBeforeReplacements =
            (stack.local.stats().calls["RunTask"] ?? 0) - (before.calls["RunTask"] ?? 0) - 1;
        }
      };
      log(`[api-economy] ${segments.length} segments on ${tasks} tasks`);
      const result = await executeParallelBatches({
        signal,
        cluster: stack.cluster,
        taskDefinition: stack.taskDefinition,
        network: stack.network,
        outputDir: path.join(workDir, "out"),
        aws: stack.local.clientConfig,
        segments,
        maxParallelTasks: tasks,
        segmentsPerBatch: perTask,
        pollIntervalMs: POLL_INTERVAL_MS,
        onEvent,
      });
      const wallMs = Date.now() - started;
      clearInterval(sampler);
      sample();
      const after = stack.local.stats();
      const busiestWindow = maxInWindow(samples, POLL_INTERVAL_MS - 50);
      if (result.failed > 0)
        throw new Error(`${result.failed} segments failed: ${result.failures[0]?.error?.message}`);
      const calls = diff(after.calls, before.calls);
      const throttled = diff(after.throttled, before.throttled);
      const minutes = wallMs / 60_000;
      const launched = result.tasksLaunched;
      const describePerInterval = (calls["DescribeTasks"] ?? 0) / Math.ceil(wallMs / POLL_INTERVAL_MS);
      const runTaskLimit = Math.ceil(tasks / 10);
      const metrics: Array<{ name: string; value: number | string; unit?: string }> = [
        { name: "tasks launched", value: launched },
        { name: "segments", value: segments.length },
        { name: "run wall time", value: round(wallMs / 1000, 1), unit: "s" },
        { name: "poll interval", value: POLL_INTERVAL_MS, unit: "ms" },
      ];
      for (const [action, count] of Object.entries(calls).sort()) {
        metrics.push({
          name: `${action}: calls (per task, per minute)`,
          value: `${count} (${round(count / launched, 2)}, ${round(count / minutes, 1)})`,
        });
      }
      metrics.push({
        name: "DescribeTasks calls per poll interval (mean over the run)",
        value: round(describePerInterval, 2),
      });
      metrics.push({
        name: "DescribeTasks calls in the busiest poll interval (sliding window)",
        value: busiestWindow,
      });
      const tally = (values: string[]) => {
        const counts = new Map<string, number>();
        for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
        return [...counts].map(([k, n]) => `${k} × ${n}`).join(", ") || "none";
      };
      const lost = events.flatMap((e) =>
        e.type === "task.stopped" && !e.expected
          ? [`${e.stopCode ?? "(no stop code yet)"}: ${e.stoppedReason ?? "(none)"}`]
          : [],
      );
      // Why were tasks lost? The last lines their workers wrote (local's logDir) usually say.
      const lostWhy: string[] = [];
      for (const e of events) {
        if (e.type !== "task.stopped" || e.expected) continue;
        const text = await readFile(path.join(logDir, `${e.taskArn.split("/").pop()}.log`), "utf8").catch(
          () => "",
        );
        const names = [...text.matchAll(/"event":"([^"]+)"/g)].map((m) => m[1] as string);
        lostWhy.push(names.slice(-3).join(" → ") || "no worker output");
      }
      const attemptsFailed = events.flatMap((e) => (e.type === "segment.failed" ? [`${e.code}`] : []));
      metrics.push({
        name: "replacement tasks launched",
        value: events.filter((e) => e.type === "task.launched" && e.replacementFor).length,
      });
      metrics.push({ name: "tasks lost (stop code: reason)", value: tally(lost) });
      metrics.push({ name: "lost tasks' last worker log events", value: tally(lostWhy) });
      metrics.push({ name: "failed segment attempts (code)", value: tally(attemptsFailed) });
      metrics.push({
        name: "RunTask calls for the planned tasks (before any replacement)",
        value: runTaskBeforeReplacements ?? calls["RunTask"] ?? 0,
      });
      metrics.push({ name: "throttled calls", value: Object.values(throttled).reduce((a, b) => a + b, 0) });
      return {
        method:
          `${segments.length} synthetic segments of ${ms} ms on ${tasks} tasks (one executeParallelBatches run, no ` +
          "faults, core's default API rates and poll interval) against the local ECS endpoint, which enforces the " +
          "account token buckets AWS documents (so a run that overdraws them is throttled, and counted). Calls are counted " +
          "by the endpoint itself (LocalEcs.stats()), from just before the run to just after it returned, so every " +
          "ECS, EC2 and CloudWatch Logs call the library made is in — including stopping every task and waiting " +
          "for STOPPED. Per-minute rates divide by the run's wall time. The counter is sampled every 50 ms to find the " +
          "busiest window of one poll interval.",
        status: "measured",
        metrics,
        targets: [
          target("DescribeTasks in any poll interval", busiestWindow, "<=", 1),
          target(`RunTask calls (⌈${tasks}/10⌉)`, calls["RunTask"] ?? 0, "<=", runTaskLimit),
        ],
        notes: [],
        raw: { calls, throttled, wallMs, tasksLaunched: launched },
      };
    } finally {
      await stack.close();
    }
  },
};
