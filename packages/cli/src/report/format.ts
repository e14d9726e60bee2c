/** Number formatting shared by every report, so figures look the same everywhere. */

export function formatSeconds(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  if (m < 60) return `${m}m${String(s).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m - h * 60).padStart(2, "0")}m`;
}

/** Dollars with enough digits that sub-cent costs of short runs do not read as $0.00. */
export function formatUsd(usd: number | undefined | null): string {
  if (usd === undefined || usd === null || !Number.isFinite(usd)) return "–";
  if (usd === 0) return "$0";
  if (Math.abs(usd) >= 100) return `$${usd.toFixed(2)}`;
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(3)}`;
  return `$${usd.toPrecision(3).replace(/0+$/, "").replace(/\.$/, "")}`;
}

export function formatBytes(bytes: number | undefined | null): string {
  if (bytes === undefined || bytes === null || !Number.isFinite(bytes)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatRatio(value: number | undefined | null, digits = 2): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return "–";
  return `${value.toFixed(digits)}×`;
}

export function formatPercent(fraction: number | undefined | null): string {
  if (fraction === undefined || fraction === null || !Number.isFinite(fraction)) return "–";
  return `${(fraction * 100).toFixed(0)}%`;
}

/** The last path component of an ARN: the task id people recognize in the console. */
export function shortArn(arn: string | undefined): string {
  if (!arn) return "–";
  const id = arn.slice(arn.lastIndexOf("/") + 1);
  return id.length > 12 ? id.slice(0, 12) : id;
}
