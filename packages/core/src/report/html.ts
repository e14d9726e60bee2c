/** Small pure helpers for building the report's markup. */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML/SVG content and attribute values. */
export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/** A pixel coordinate with one decimal: enough for a sharp chart, small for 10,000 segments. */
export const px = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Seconds with millisecond precision (what the page's data attributes carry). */
export const sec = (ms: number): string => (Math.round(ms) / 1000).toFixed(3);

export function usd(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  if (value === 0) return "$0";
  if (Math.abs(value) >= 1) return `$${value.toFixed(2)}`;
  return `$${value.toPrecision(3)}`;
}

export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const ratio = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? "–" : `${v.toFixed(2)}×`;
export const percent = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? "–" : `${(v * 100).toFixed(0)} %`;

/** The task id people recognize in the console (last part of the ARN). */
export const taskId = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1);
