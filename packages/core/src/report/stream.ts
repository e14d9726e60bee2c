import { esc, px, sec, taskId } from "./html.js";
import type { AttemptView, RunView, TaskView } from "./model.js";

/** Width of the time area of every chart, in px. */
export const CHART_WIDTH = 1100;
const LABEL_WIDTH = 120;

/** Rows shrink with the task count (16 px down to 3 px) so 1,000 tasks still fit one scroll. */
export const rowHeight = (tasks: number): number =>
  Math.max(3, Math.min(16, Math.floor(900 / Math.max(1, tasks))));

/** Maps epoch ms to x in px across a run. */
export function timeScale(view: RunView): (ms: number) => number {
  const span = Math.max(1, view.endedAt - view.startedAt);
  return (ms) => LABEL_WIDTH + ((ms - view.startedAt) / span) * CHART_WIDTH;
}

/**
 * Rectangles of one class in one row, merged into one path: 10,000 segments become a few thousand
 * paths rather than 40,000 rects, which is what keeps a large report quick to open.
 */
class Shapes {
  private readonly d = new Map<string, string[]>();
  constructor(private readonly h: number) {}
  add(cls: string, x0: number, x1: number): void {
    const list = this.d.get(cls) ?? [];
    if (list.length === 0) this.d.set(cls, list);
    list.push(`M${px(x0)} 0h${px(Math.max(0.3, x1 - x0))}v${this.h}h${px(-Math.max(0.3, x1 - x0))}z`);
  }
  toString(): string {
    return [...this.d].map(([cls, parts]) => `<path class="${cls}" d="${parts.join("")}"/>`).join("");
  }
}

/** The task's own phases: provisioning, image pull, worker start, idle (background), drain and stop. */
function phases(t: TaskView, x: (ms: number) => number, end: number, out: Shapes): void {
  const pull = t.pullStartedAt;
  const boot = t.pullStoppedAt ?? t.startedAt;
  const ready = t.readyAt;
  const stop = t.stopRequestedAt ?? t.stoppedAt ?? end;
  const firstKnown = pull ?? boot ?? ready ?? stop;
  out.add("prov", x(t.launchedAt), x(firstKnown));
  if (pull !== undefined) out.add("pull", x(pull), x(boot ?? ready ?? stop));
  if (boot !== undefined && ready !== undefined) out.add("boot", x(boot), x(ready));
  if (ready !== undefined) out.add("idle", x(ready), x(stop));
  if (t.stopRequestedAt !== undefined || t.stoppedAt !== undefined)
    out.add("drain", x(stop), x(t.stoppedAt ?? end));
}

/**
 * One attempt: its upload, wait, processing and download drawn into the row's shapes, and an
 * empty element carrying its exact timings (`data-t`) for the tooltip, for tools and for tests.
 */
function attempt(a: AttemptView, x: (ms: number) => number, origin: number, out: Shapes): string {
  const end = a.end ?? a.processEnd ?? a.uploadEnd ?? a.uploadStart ?? origin;
  const start = a.uploadStart ?? a.processStart ?? end;
  if (a.outcome === "takenBack") out.add("back", x(start), x(end));
  else {
    if (a.uploadStart !== undefined && a.uploadEnd !== undefined)
      out.add("u", x(a.uploadStart), x(a.uploadEnd));
    const waitTo = a.processStart ?? (a.outcome === "succeeded" ? undefined : end);
    if (a.uploadEnd !== undefined && waitTo !== undefined && waitTo > a.uploadEnd)
      out.add("q", x(a.uploadEnd), x(waitTo));
    if (a.processStart !== undefined)
      out.add(a.outcome === "failed" ? "fail" : "p", x(a.processStart), x(a.processEnd ?? end));
    else if (a.outcome === "failed") out.add("fail", x(end) - 1, x(end));
    if (a.downloadStart !== undefined && a.end !== undefined) out.add("d", x(a.downloadStart), x(a.end));
  }
  if (a.attempt > 1) out.add("retry", x(start), x(end));
  const rel = (ms: number | undefined) => (ms === undefined ? "" : sec(ms - origin));
  const t = [a.uploadStart, a.uploadEnd, a.processStart, a.processEnd, a.downloadStart, a.end]
    .map(rel)
    .join(" ");
  const cls = `a ${a.outcome}${a.attempt > 1 ? " retry" : ""}`;
  const err = a.error === undefined ? "" : ` data-e="${esc(a.error.slice(0, 300))}"`;
  return `<g class="${cls}" data-s="${esc(a.segmentId)}" data-n="${a.attempt}" data-t="${t}"${err}/>`;
}

/**
 * The task stream of one run: a row per task (its phases behind its attempts), lost tasks marked
 * with a cross, failed attempts red, retries outlined, take-backs dashed. Each attempt's `data-t`
 * holds its upload start, upload end, processing start and end, download start and end, in
 * seconds from the run's start.
 */
export function taskStream(view: RunView): string {
  const h = rowHeight(view.tasks.length);
  const x = timeScale(view);
  const bar = Math.max(1, h - 2);
  const rows = view.tasks.map((t, i) => {
    const label =
      h >= 10 ? `<text class="lbl" x="4" y="${h - 3}">${esc(taskId(t.taskArn).slice(0, 14))}</text>` : "";
    const lost =
      t.lostBecause === undefined
        ? ""
        : `<text class="x" x="${px(x(t.stoppedAt ?? view.endedAt) + 2)}" y="${h - 2}">✕</text>`;
    const cls = `t${t.lostBecause === undefined ? "" : " lost"}${t.replacementFor === undefined ? "" : " repl"}`;
    const shapes = new Shapes(bar);
    phases(t, x, view.endedAt, shapes);
    const data = t.attempts.map((a) => attempt(a, x, view.startedAt, shapes)).join("");
    return (
      `<g class="${cls}" data-task="${esc(t.taskArn)}" data-cap="${esc(t.capacity)}"${t.lostBecause === undefined ? "" : ` data-lost="${esc(t.lostBecause.slice(0, 300))}"`} transform="translate(0,${i * h})">` +
      `${label}${shapes}${data}${lost}</g>`
    );
  });
  const height = Math.max(h, view.tasks.length * h) + 20;
  const ticks = axis(view, x, height - 20);
  const span = Math.max(1, view.endedAt - view.startedAt) / 1000;
  return (
    `<svg class="stream" data-x0="${LABEL_WIDTH}" data-w="${CHART_WIDTH}" data-span="${span}" width="${LABEL_WIDTH + CHART_WIDTH + 20}" height="${height}" role="img" aria-label="task stream">` +
    `${rows.join("")}${ticks}</svg>`
  );
}

/** Time ticks along the bottom of a chart. */
export function axis(view: RunView, x: (ms: number) => number, y: number): string {
  const span = (view.endedAt - view.startedAt) / 1000;
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400];
  const step = steps.find((s) => span / s <= 10) ?? 86_400;
  const out: string[] = [
    `<line class="ax" x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + CHART_WIDTH}" y1="${y}" y2="${y}"/>`,
  ];
  for (let s = 0; s <= span; s += step) {
    const at = x(view.startedAt + s * 1000);
    const label = s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${s} s`;
    out.push(
      `<line class="ax" x1="${px(at)}" x2="${px(at)}" y1="${y}" y2="${y + 4}"/><text class="tick" x="${px(at)}" y="${y + 15}">${label}</text>`,
    );
  }
  return out.join("");
}
