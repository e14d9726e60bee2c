import type { CliIo } from "../io.js";
import { PlainReporter } from "./plain.js";
import { TtyReporter } from "./tty.js";
import { type ProgressReporter, silentReporter } from "./types.js";

/** Bars on a TTY, lines elsewhere, nothing with --json (stdout then carries only the result). */
export function chooseReporter(io: CliIo, json: boolean): ProgressReporter {
  if (json) return silentReporter;
  if (io.stderr.isTTY && !io.env["CI"] && io.env["TERM"] !== "dumb") return new TtyReporter(io.stderr);
  return new PlainReporter(io.stderr);
}
