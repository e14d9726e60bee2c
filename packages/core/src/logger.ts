/** A pluggable log sink. Every method is optional in spirit: the default does nothing. */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
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
