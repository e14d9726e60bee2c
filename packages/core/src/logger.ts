/** A pluggable log sink. Every method is optional in spirit: the default does nothing. */
export interface Logger {
  /** Detail for debugging: each AWS call attempt, retries. */
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Notable steps: a task lost, a replacement launched. */
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Something went wrong and the run works around it (a StopTask retried, a listener that threw). */
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Something went wrong that the run could not work around. */
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

const noop = (): void => {};

/** The default logger: says nothing. Library output is events, not log lines. */
export const quietLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** A logger that writes one JSON line per entry to stderr (handy for scripts and debugging). */
export function jsonLinesLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const log =
    (level: string) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void =>
      write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
