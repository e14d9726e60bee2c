import { esc, px, taskId, usd } from "./html.js";
import type { RunView, TaskView } from "./model.js";
import { axis, CHART_WIDTH, timeScale } from "./stream.js";

/** A step series sampled per pixel column (its maximum there), so 10,000 segments stay 1,100 points. */
function series(view: RunView, intervals: readonly (readonly [number, number])[]): number[] {
  const cols = new Array<number>(CHART_WIDTH + 1).fill(0);
  const span = Math.max(1, view.endedAt - view.startedAt);
  const col = (ms: number) =>
    Math.max(0, Math.min(CHART_WIDTH, Math.floor(((ms - view.startedAt) / span) * CHART_WIDTH)));
  const deltas: Array<[number, number]> = [];
  for (const [a, b] of intervals) if (b > a) deltas.push([a, 1], [b, -1]);
  deltas.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  let level = 0;
  let c = 0;
  for (const [at, d] of deltas) {
    const target = col(at);
    for (; c < target; c++) cols[c] = Math.max(cols[c] as number, level);
    level += d;
    cols[target] = Math.max(cols[target] as number, level);
  }
  for (; c <= CHART_WIDTH; c++) cols[c] = Math.max(cols[c] as number, level);
  return cols;
}

/** Tasks alive and segments in processing over time, one line each. */
export function concurrencyChart(view: RunView): string {
  const tasks = view.tasks.map((t) => [t.launchedAt, t.stoppedAt ?? view.endedAt] as const);
  const busy = view.tasks.flatMap((t) =>
    t.attempts.flatMap((a) =>
      a.processStart === undefined ? [] : [[a.processStart, a.processEnd ?? a.end ?? view.endedAt] as const],
    ),
  );
  const a = series(view, tasks);
  const b = series(view, busy);
  const top = Math.max(1, ...a, ...b);
  const H = 140;
  const x = timeScale(view);
  const left = x(view.startedAt);
  const line = (values: number[], cls: string) =>
    `<polyline class="${cls}" points="${values.map((v, i) => `${px(left + i)},${px(H - (v / top) * (H - 10))}`).join(" ")}"/>`;
  return (
    `<svg class="conc" width="${left + CHART_WIDTH + 20}" height="${H + 22}" role="img" aria-label="concurrency over time">` +
    `<text class="tick" x="4" y="14">${top}</text><text class="tick" x="4" y="${H}">0</text>` +
    `${line(a, "alive")}${line(b, "busy")}${axis(view, x, H)}</svg>`
  );
}

/** Horizontal cost bars: one per group, widest = most expensive. */
export function costBars(rows: readonly { label: string; usd: number | undefined; note?: string }[]): string {
  const top = Math.max(1e-12, ...rows.map((r) => r.usd ?? 0));
  const h = 16;
  const bars = rows.map((r, i) => {
    const w = ((r.usd ?? 0) / top) * 600;
    return `<g transform="translate(0,${i * h})"><text class="lbl" x="0" y="12">${esc(r.label)}</text><rect class="cost" x="220" y="2" width="${px(Math.max(0.5, w))}" height="${h - 4}"/><text class="lbl" x="${px(226 + w)}" y="12">${usd(r.usd)}${r.note === undefined ? "" : ` · ${esc(r.note)}`}</text></g>`;
  });
  return `<svg class="bars" width="960" height="${rows.length * h + 4}" role="img" aria-label="cost">${bars.join("")}</svg>`;
}

/** Cost by capacity type, across every run of the chain. */
export function costByCapacity(tasks: readonly TaskView[]): string {
  const groups = new Map<string, { usd: number | undefined; n: number }>();
  for (const t of tasks) {
    const g = groups.get(t.capacity) ?? { usd: 0, n: 0 };
    g.n += 1;
    g.usd = g.usd === undefined || t.costUsd === undefined ? undefined : g.usd + t.costUsd;
    groups.set(t.capacity, g);
  }
  return costBars(
    [...groups].map(([label, g]) => ({ label, usd: g.usd, note: `${g.n} task${g.n === 1 ? "" : "s"}` })),
  );
}

/** Cost by task, most expensive first; past 40 tasks the rest are summed into one bar. */
export function costByTask(tasks: readonly TaskView[]): string {
  const sorted = [...tasks].sort((a, b) => (b.costUsd ?? 0) - (a.costUsd ?? 0));
  const shown = sorted.slice(0, 40).map((t) => ({
    label: `${taskId(t.taskArn).slice(0, 14)} (${t.capacity})`,
    usd: t.costUsd,
    note: `${Math.round(t.billedSeconds ?? 0)} s billed${t.billingEstimated ? " (estimated)" : ""}`,
  }));
  const rest = sorted.slice(40);
  if (rest.length > 0)
    shown.push({
      label: `${rest.length} more tasks`,
      usd: rest.reduce((s, t) => s + (t.costUsd ?? 0), 0),
      note: "summed",
    });
  return costBars(shown);
}
