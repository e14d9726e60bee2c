/// <reference lib="dom" />
/**
 * `pnpm bench:report` — how big the HTML report of a large run is and how long headless Chromium
 * takes to open it. Builds a synthetic manifest of 1,000 tasks × 10,000 segments (1 % retried
 * attempts, 1 % lost tasks, some take-backs), validates it through readManifest, renders it, and
 * opens it (from navigation to the first frame after load). Writes bench-out/report-scale.html.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type FanoutEvent, MANIFEST_NAME, readManifest, renderReport } from "ecs-fanout";
import { launchChromium } from "../test/support/browser.js";
import { repoRoot } from "./lib/paths.js";

const TASKS = Number(process.env["TASKS"] ?? 1000);
const SEGMENTS = Number(process.env["SEGMENTS"] ?? 10_000);
const runId = "00000000-0000-4000-8000-00000000abcd";
const t0 = Date.UTC(2026, 11, 1, 20, 0, 0);
const sha = (n: number) => n.toString(16).padStart(64, "0");

function syntheticRun(): FanoutEvent[] {
  const ev: FanoutEvent[] = [];
  const at = <E extends FanoutEvent>(e: E) => ev.push(e);
  at({
    type: "run.started",
    time: t0,
    runId,
    segments: SEGMENTS,
    plannedTasks: TASKS,
    network: {
      subnets: ["subnet-1"],
      securityGroups: undefined,
      assignPublicIp: true,
      endpoint: "public",
      defaultVpc: undefined,
    },
  });
  const perTask = Math.ceil(SEGMENTS / TASKS);
  let seg = 0;
  for (let k = 0; k < TASKS; k++) {
    const arn = `arn:aws:ecs:us-east-1:123456789012:task/fanout/${k.toString(16).padStart(32, "0")}`;
    const launched = t0 + (k % 100) * 50;
    const ready = launched + 40_000 + (k % 7) * 1000;
    at({
      type: "task.launched",
      time: launched,
      runId,
      taskArn: arn,
      launchType: undefined,
      capacityProvider: k % 3 === 0 ? "FARGATE" : "FARGATE_SPOT",
      replacementFor: undefined,
      cpu: 2048,
      memory: 4096,
      gpus: 0,
    });
    at({
      type: "task.running",
      time: ready - 5000,
      runId,
      taskArn: arn,
      host: "10.0.0.1",
      port: 8080,
      createdAt: launched + 200,
      pullStartedAt: launched + 15_000,
      pullStoppedAt: launched + 30_000,
      startedAt: ready - 6000,
    });
    at({
      type: "task.ready",
      time: ready,
      runId,
      taskArn: arn,
      url: "https://10.0.0.1:8080",
      startupMs: ready - launched,
    });
    let t = ready;
    const lost = k % 100 === 99;
    for (let j = 0; j < perTask && seg < SEGMENTS; j++, seg++) {
      const id = `seg-${String(seg).padStart(5, "0")}`;
      const attempts = seg % 100 === 0 ? 2 : 1;
      for (let a = 1; a <= attempts; a++) {
        const up = 800 + (seg % 5) * 100;
        const proc = 20_000 + (seg % 11) * 3000;
        const down = 900;
        at({
          type: "segment.uploaded",
          time: t + up,
          runId,
          segmentId: id,
          taskArn: arn,
          attempt: a,
          bytes: 8_000_000,
          durationMs: up,
        });
        at({ type: "segment.started", time: t + up + 50, runId, segmentId: id, taskArn: arn, attempt: a });
        if (a < attempts) {
          at({
            type: "segment.failed",
            time: t + up + 5000,
            runId,
            segmentId: id,
            taskArn: arn,
            attempt: a,
            code: "JOB_FAILED",
            message: "ffmpeg: Invalid data found when processing input",
            willRetry: true,
          });
          t += up + 5000;
          continue;
        }
        const end = t + up + 50 + proc + down;
        at({
          type: "segment.downloaded",
          time: end,
          runId,
          segmentId: id,
          taskArn: arn,
          attempt: a,
          path: `/out/${id}.mp4`,
          bytes: 30_000_000,
          sha256: sha(seg),
          timings: { uploadMs: up, queuedMs: 50, processMs: proc, downloadMs: down },
          input: { bytes: 8_000_000, sha256: sha(seg + 1) },
        });
        t = end;
      }
      if (seg % 500 === 250)
        at({
          type: "segment.takenBack",
          time: t + 10,
          runId,
          segmentId: `seg-${String(seg + 1).padStart(5, "0")}`,
          fromTaskArn: arn,
          toTaskArn: arn,
        });
    }
    const stopReq = t + 200;
    const stopped = stopReq + 30_000;
    if (lost)
      at({
        type: "task.stopped",
        time: stopReq,
        runId,
        taskArn: arn,
        stopCode: "SpotInterruption",
        stoppedReason: "Your Spot Task was interrupted.",
        expected: false,
        lostBecause: "SpotInterruption",
      });
    at({
      type: "task.billed",
      time: stopped,
      runId,
      taskArn: arn,
      launchType: "FARGATE",
      capacityProvider: k % 3 === 0 ? "FARGATE" : "FARGATE_SPOT",
      cpu: 2048,
      memory: 4096,
      gpus: 0,
      instanceType: undefined,
      replacementFor: undefined,
      launchedAt: launched,
      createdAt: launched + 200,
      pullStartedAt: launched + 15_000,
      pullStoppedAt: launched + 30_000,
      startedAt: ready - 6000,
      readyAt: ready,
      stopRequestedAt: stopReq,
      stoppedAt: stopped,
      stopCode: lost ? "SpotInterruption" : "UserInitiated",
      stoppedReason: undefined,
      exitCode: 0,
      lostBecause: lost ? "SpotInterruption" : undefined,
      lastStatus: "STOPPED",
      segmentsSucceeded: perTask,
      segmentsAttempted: perTask,
      processingSeconds: perTask * 35,
      billedSeconds: (stopped - launched - 15_000) / 1000,
      billingEstimated: false,
      costUsd: 0.02,
    });
  }
  ev.sort((a, b) => a.time - b.time);
  return ev;
}

const out = path.join(repoRoot, "bench-out");
await mkdir(out, { recursive: true });
const manifestPath = path.join(out, MANIFEST_NAME);
await writeFile(
  manifestPath,
  syntheticRun()
    .map((e) => `${JSON.stringify(e)}\n`)
    .join(""),
);
let started = performance.now();
const manifest = await readManifest(manifestPath);
const readMs = performance.now() - started;
started = performance.now();
const html = renderReport(manifest);
const renderMs = performance.now() - started;
const file = path.join(out, "report-scale.html");
await writeFile(file, html);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  started = performance.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
  const openMs = performance.now() - started;
  const counts = await page.evaluate(() => ({
    tasks: document.querySelectorAll("g.t").length,
    attempts: document.querySelectorAll("g.a").length,
  }));
  await page.screenshot({ path: path.join(out, "report-scale.png") });
  console.log(
    JSON.stringify({
      tasks: TASKS,
      segments: SEGMENTS,
      manifestLines: manifest.records.length,
      readManifestMs: Math.round(readMs),
      renderMs: Math.round(renderMs),
      htmlBytes: Buffer.byteLength(html),
      chromiumOpenMs: Math.round(openMs),
      drawn: counts,
      errors,
    }),
  );
} finally {
  await browser.close();
}
