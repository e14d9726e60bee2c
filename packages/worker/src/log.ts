/** One structured event; written as one JSON line (CloudWatch Logs Insights can query every field). */
export interface LogEvent {
  event: string;
  level?: "info" | "warn" | "error";
  jobId?: string;
  [field: string]: unknown;
}

/** Where the worker sends its events: `jsonLinesToStdout` in the bin, {@link quiet} to drop them. */
export type LogSink = (event: LogEvent) => void;

/** The worker's default sink: `{"ts":…,"level":…,"event":…,…}` per line on stdout. */
export function jsonLinesToStdout(event: LogEvent): void {
  const { level = "info", event: name, ...rest } = event;
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level, event: name, ...rest })}\n`);
}

/** A sink that drops every event (for embedding the worker, and tests). */
export const quiet: LogSink = () => {};
