import { lastChain } from "../record/chain.js";
import type { Manifest } from "../record/read.js";
import { concurrencyChart, costByCapacity, costByTask } from "./charts.js";
import { duration, esc, percent, ratio, taskId, usd } from "./html.js";
import { buildViews, type RunView } from "./model.js";
import { taskStream } from "./stream.js";
import { REPORT_CSS, REPORT_SCRIPT } from "./style.js";

function metricsTable(view: RunView | undefined): string {
  const m = view?.metrics?.metrics;
  if (view?.metrics === undefined || m === undefined)
    return `<p class="warn">The last run did not finish (no metrics recorded): it was interrupted or is still running. Resume it to finish the job.</p>`;
  const rows: Array<[string, string]> = [
    ["segments", `${view.metrics.succeeded} succeeded, ${view.metrics.failed} failed`],
    ["tasks", `${view.metrics.tasksLaunched} launched (${view.metrics.plannedTasks} planned)`],
    ["wall time", duration(m.wallSeconds)],
    ["start-up (mean)", duration(m.startupSeconds)],
    ["sequential estimate", duration(m.sequentialEstimateSeconds)],
    ["speedup", ratio(m.speedupFactor)],
    ["ideal speedup", ratio(m.idealSpeedup)],
    ["parallel efficiency", percent(m.parallelEfficiency)],
    ["processing efficiency", percent(m.processingEfficiency)],
    ["billed", `${Math.round(m.billedSeconds)} task-seconds`],
    ["total cost", usd(m.totalCostUsd)],
    ["cost per segment", usd(m.costPerSegmentUsd)],
    ["sequential cost", usd(m.sequentialCostUsd)],
    ["cost overhead vs sequential", percent(m.costOverheadVsSequential)],
  ];
  if (m.s3Requests !== undefined)
    rows.push([
      "S3 requests (not in total cost)",
      `${m.s3Requests.put} PUT, ${m.s3Requests.get} GET: ${usd(m.s3Requests.costUsd)}`,
    ]);
  if (m.resumedFrom.length > 0)
    rows.push(
      ["resumed from", m.resumedFrom.map(esc).join(", ")],
      ["segments reused", String(m.resumedSegments)],
      ["earlier runs' cost (included)", usd(m.priorCostUsd)],
      ["earlier runs' wall time (included)", duration(m.priorWallSeconds)],
    );
  const note =
    m.resumedFrom.length > 0
      ? `<p>These figures cover the whole job: this run and the ${m.resumedFrom.length} run(s) it resumed.</p>`
      : "";
  return `${note}<table class="metrics">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td data-metric="${esc(k)}">${k === "resumed from" ? v : esc(v)}</td></tr>`).join("")}</table>`;
}

function taskTable(views: readonly RunView[]): string {
  const rows = views.flatMap((v) =>
    v.tasks.map(
      (t) =>
        `<tr${t.lostBecause === undefined ? "" : ' class="lost"'}><td>${esc(taskId(t.taskArn))}</td><td>${esc(t.capacity)}</td><td>${esc(t.size)}</td><td>${t.attempts.filter((a) => a.outcome === "succeeded").length}/${t.attempts.length}</td><td>${Math.round(t.billedSeconds ?? 0)}${t.billingEstimated ? "~" : ""}</td><td>${usd(t.costUsd)}</td><td>${esc(t.lostBecause ?? "")}</td></tr>`,
    ),
  );
  return `<details><summary>every task (${rows.length})</summary><table class="tasks"><tr><th>task</th><th>capacity</th><th>size</th><th>segments ok/attempts</th><th>billed s</th><th>cost</th><th>lost because</th></tr>${rows.join("")}</table></details>`;
}

const LEGEND = [
  ["prov", "provisioning"],
  ["pull", "image pull"],
  ["boot", "worker start"],
  ["idle", "ready, idle"],
  ["u", "upload"],
  ["q", "queued on worker"],
  ["p", "processing"],
  ["d", "download"],
  ["drain", "drain and stop"],
  ["fail", "failed attempt"],
  ["back", "taken back"],
]
  .map(
    ([c, l]) =>
      `<span class="key"><svg width="12" height="10"><rect class="${c}" width="12" height="10"/></svg>${l}</span>`,
  )
  .join("");

function runSection(view: RunView, index: number, count: number): string {
  const lost = view.tasks.filter((t) => t.lostBecause !== undefined).length;
  const attempts = view.tasks.flatMap((t) => t.attempts);
  const retries = attempts.filter((a) => a.attempt > 1).length;
  const back = attempts.filter((a) => a.outcome === "takenBack").length;
  const state = view.finished ? "finished" : "interrupted (no end recorded)";
  const resumed =
    view.resumedFrom === undefined
      ? ""
      : `, resumed from ${esc(view.resumedFrom)} (${view.resumedSegments} segments reused)`;
  return `<section class="run" data-run="${esc(view.runId)}"><h2>Run ${index + 1} of ${count}: <code>${esc(view.runId)}</code></h2>
<p>${new Date(view.startedAt).toISOString()} → ${new Date(view.endedAt).toISOString()} · ${state}${resumed} · ${view.tasks.length} tasks, ${attempts.length} segment attempts, ${lost} lost task(s) ✕, ${retries} retries (outlined), ${back} take-backs (dashed)</p>
<h3>Task stream</h3><div class="legend">${LEGEND}</div><div class="scroll">${taskStream(view)}</div>
<h3>Concurrency</h3><div class="legend"><span class="key"><svg width="12" height="10"><line class="alive" x1="0" x2="12" y1="5" y2="5"/></svg>tasks alive</span><span class="key"><svg width="12" height="10"><line class="busy" x1="0" x2="12" y1="5" y2="5"/></svg>segments processing</span></div>${concurrencyChart(view)}</section>`;
}

/**
 * Renders a manifest's last run — and the runs it resumed — as one self-contained HTML page:
 * the metrics, each run's task stream and concurrency, cost by capacity type and by task. No
 * network: styles, the chart (SVG, generated here) and a small tooltip script are inline, and the
 * page's Content-Security-Policy forbids loading anything else.
 */
export function renderReport(manifest: Pick<Manifest, "records"> & { readonly path?: string }): string {
  const chain = lastChain(manifest);
  const views = buildViews(chain);
  const last = views.at(-1);
  const tasks = views.flatMap((v) => v.tasks);
  const title = last === undefined ? "ecs-fanout run" : `ecs-fanout run ${last.runId}`;
  const body =
    views.length === 0
      ? "<p>The manifest holds no run.</p>"
      : `<h2>Metrics</h2>${metricsTable(last)}
${views.map((v, i) => runSection(v, i, views.length)).join("\n")}
<section><h2>Cost by capacity type</h2>${costByCapacity(tasks)}<h2>Cost by task</h2>${costByTask(tasks)}${taskTable(views)}</section>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${REPORT_CSS}</style></head>
<body><h1>${esc(title)}</h1>${manifest.path === undefined ? "" : `<p class="src">from <code>${esc(manifest.path)}</code></p>`}
${body}<div id="tip" hidden></div><script>${REPORT_SCRIPT}</script></body></html>
`;
}
