import type { BatchRunResult, TaskResult } from "ecs-fanout";
import type { Downloaded } from "../s3/download.js";
import type { UploadedObject } from "../s3/upload.js";
import type { PipelineTimings } from "../upscale/pipeline.js";
import { formatBytes, formatPercent, formatRatio, formatSeconds, formatUsd, shortArn } from "./format.js";
import { type Column, renderPairs, renderTable } from "./table.js";

/** What the report shows of a video (a subset of the video package's VideoInfo). */
export interface VideoSummary {
  width: number;
  height: number;
  durationSeconds: number;
  hasAudio: boolean;
  sizeBytes: number;
}

/** What `run` reports: the core's result plus what happened around it. */
export interface RunReportInput {
  result: BatchRunResult;
  target: string;
  /** `path` is a file path or an `s3://` URI; `s3` says how an S3 input was fetched. */
  input?: { path: string; info: VideoSummary; s3?: Downloaded | undefined };
  /** `s3` is the output object as S3 confirmed it. */
  output?: { path: string; info: VideoSummary; s3?: UploadedObject | undefined };
  timings?: PipelineTimings;
  problems?: readonly string[];
}

const secondsBetween = (from: Date | undefined, to: Date | undefined) =>
  from && to ? (to.getTime() - from.getTime()) / 1000 : undefined;

const TASK_COLUMNS: Column<TaskResult>[] = [
  { header: "task", value: (t) => shortArn(t.taskArn) },
  { header: "capacity", value: (t) => t.capacityProvider ?? t.launchType ?? "–" },
  {
    header: "start-up",
    value: (t) => formatSeconds(secondsBetween(t.launchedAt, t.readyAt)),
    align: "right",
  },
  { header: "segments", value: (t) => `${t.segmentsSucceeded}/${t.segmentsAttempted}`, align: "right" },
  { header: "busy", value: (t) => formatSeconds(t.processingSeconds), align: "right" },
  {
    header: "billed",
    value: (t) => `${t.billingEstimated ? "~" : ""}${Math.round(t.billedSeconds)}s`,
    align: "right",
  },
  { header: "cost", value: (t) => formatUsd(t.costUsd), align: "right" },
  { header: "stop", value: (t) => t.stopCode ?? t.lastStatus ?? "–" },
];

/**
 * The per-task columns, plus "lost because" when some task was lost, so the user sees why a task
 * stopped early without digging through the progress log.
 */
function taskColumns(tasks: readonly TaskResult[]): Column<TaskResult>[] {
  if (!tasks.some((t) => t.lostBecause !== undefined)) return TASK_COLUMNS;
  return [...TASK_COLUMNS, { header: "lost because", value: (t) => lostBecause(t, t.lostBecause) }];
}

/**
 * The run's reason, and ECS's own when it adds something: a crash first noticed as a refused
 * connection is "EssentialContainerExited" to ECS. Our own StopTask reason repeats the run's.
 */
export function lostBecause(
  task: { readonly stoppedReason: string | undefined; readonly exitCode?: number | undefined },
  why: string | undefined,
): string {
  if (why === undefined) return "";
  const ecs = task.stoppedReason;
  const parts: string[] = [];
  if (ecs && !ecs.startsWith("ecs-fanout:") && !why.includes(ecs)) parts.push(`ECS: ${ecs}`);
  // 137 = SIGKILL (out of memory, a hard kill): worth seeing next to a reason that may not say it.
  if (task.exitCode !== undefined) parts.push(`exit ${task.exitCode}`);
  return parts.length === 0 ? why : `${why} (${parts.join("; ")})`;
}

function videoLine(v: VideoSummary): string {
  return `${v.width}×${v.height}, ${v.durationSeconds.toFixed(3)}s, ${v.hasAudio ? "audio" : "no audio"}, ${formatBytes(v.sizeBytes)}`;
}

/** The human report: per-task table, then totals. */
export function formatRunReport(report: RunReportInput): string {
  const { result } = report;
  const m = result.metrics;
  const sections: string[] = [];
  const head: Array<[string, string]> = [
    ["run", result.runId],
    ["where", report.target],
  ];
  if (report.input) head.push(["input", `${report.input.path} (${videoLine(report.input.info)})`]);
  if (report.output) head.push(["output", `${report.output.path} (${videoLine(report.output.info)})`]);
  const put = report.output?.s3;
  if (put)
    head.push([
      "in S3",
      `${put.parts > 0 ? `${put.parts} parts` : "one PUT"}, sha256 ${put.sha256}, checked against ${put.verifiedBy}${put.versionId ? `, version ${put.versionId}` : ""}`,
    ]);
  sections.push(renderPairs(head));
  sections.push(renderTable(taskColumns(result.tasks), result.tasks));

  const totals: Array<[string, string]> = [
    [
      "segments",
      `${result.succeeded}/${result.segments.length} succeeded${result.failed ? `, ${result.failed} failed` : ""}`,
    ],
    ["tasks", `${result.tasksLaunched} launched (${result.plannedTasks} planned)`],
    ["wall (fan-out)", formatSeconds(m.wallSeconds)],
  ];
  if (report.timings) {
    const t = report.timings;
    const steps = [
      ...(t.downloadSeconds > 0 ? [`download ${formatSeconds(t.downloadSeconds)}`] : []),
      `split ${formatSeconds(t.splitSeconds)}`,
      `concat ${formatSeconds(t.concatSeconds)}`,
      `audio ${formatSeconds(t.muxSeconds)}`,
      `verify ${formatSeconds(t.verifySeconds)}`,
      ...(t.uploadSeconds > 0 ? [`upload ${formatSeconds(t.uploadSeconds)}`] : []),
    ];
    totals.push(["wall (end to end)", `${formatSeconds(t.totalSeconds)} (${steps.join(", ")})`]);
  }
  totals.push(
    ["start-up (mean)", formatSeconds(m.startupSeconds)],
    ["sequential estimate", formatSeconds(m.sequentialEstimateSeconds)],
    ["speedup", `${formatRatio(m.speedupFactor)} (ideal ${formatRatio(m.idealSpeedup)})`],
    ["parallel efficiency", formatPercent(m.parallelEfficiency)],
    ["processing efficiency", formatPercent(m.processingEfficiency)],
    ["billed", `${Math.round(m.billedSeconds)} task-seconds`],
    ["cost", formatUsd(m.totalCostUsd)],
    ["cost per segment", formatUsd(m.costPerSegmentUsd)],
    [
      "sequential cost",
      `${formatUsd(m.sequentialCostUsd)}${m.costOverheadVsSequential === undefined ? "" : ` (parallel costs ${signedPercent(m.costOverheadVsSequential)})`}`,
    ],
  );
  if (m.s3Requests !== undefined)
    totals.push([
      "S3 requests",
      `${m.s3Requests.put} PUT, ${m.s3Requests.get} GET: ${formatUsd(m.s3Requests.costUsd)} (not in the cost above)`,
    ]);
  sections.push(renderPairs(totals));

  if (result.failures.length > 0) {
    const lines = result.failures.map((f) => {
      const tail = f.logTail?.length ? `\n      log: ${f.logTail.slice(-3).join("\n           ")}` : "";
      return `  ${f.id} after ${f.attempts} attempt(s): ${f.error?.code ?? "?"}: ${f.error?.message ?? "?"}${tail}`;
    });
    sections.push(`failed segments:\n${lines.join("\n")}`);
  }
  if (report.problems && report.problems.length > 0) {
    sections.push(`verification failed:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`);
  } else if (report.output) {
    sections.push("verified: size, duration (within one frame) and audio match the input");
  }
  return sections.join("\n\n");
}

function signedPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(0)}% vs sequential`;
}

/**
 * The `--json` document: stable keys, dates as ISO strings. `runId` and `metrics` are repeated at
 * the top level (they are also in `result`) because they are what scripts read first.
 */
export function runReportJson(report: RunReportInput, ok: boolean): Record<string, unknown> {
  return {
    ok,
    runId: report.result.runId,
    metrics: report.result.metrics,
    target: report.target,
    input: report.input ?? null,
    output: report.output ?? null,
    verification: { ok: (report.problems?.length ?? 0) === 0, problems: report.problems ?? [] },
    timings: report.timings ?? null,
    // Why tasks were lost, by task ARN: at hand without searching result.tasks.
    lostTasks: Object.fromEntries(
      report.result.tasks.flatMap((t) => (t.lostBecause === undefined ? [] : [[t.taskArn, t.lostBecause]])),
    ),
    result: report.result,
  };
}
