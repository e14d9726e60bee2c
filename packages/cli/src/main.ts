import { CommanderError } from "commander";
import { CliError, ExitCode } from "./errors.js";
import { type CliIo, println, processIo } from "./io.js";
import { commanderExitCode, createProgram } from "./program.js";

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves to the exit code.
 * Never exits the process itself, so it can be called from tests and scripts.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  const program = createProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    return reportError(error, io);
  }
}

/** Error codes of the libraries that mean "the options were wrong": nothing was launched. */
const LIBRARY_USAGE_CODES = new Set([
  "INVALID_OPTIONS",
  "OPTIONS_INVALID",
  "VALIDATION_FAILED",
  "INVALID_ARGUMENT",
]);

const NO_DEFAULT_VPC_HINT =
  "  name the network: --subnets subnet-a,subnet-b (several availability zones), --security-groups sg-… " +
  "(allowing the worker port from this machine) and --public-ip for public subnets";

export function reportError(error: unknown, io: CliIo): ExitCode {
  // Commander already printed its message (and the help hint) on stderr.
  if (error instanceof CommanderError) return commanderExitCode(error);
  if (error instanceof CliError) {
    println(io.stderr, `ecs-fanout: ${error.message}`);
    printCauses(error.cause, io);
    return error.exitCode;
  }
  const code = errorCode(error);
  const usage = code !== undefined && LIBRARY_USAGE_CODES.has(code);
  println(io.stderr, `ecs-fanout: ${describe(error)}`);
  // The library's message names its own options; say which flags those are.
  if (code === "NO_DEFAULT_VPC") println(io.stderr, NO_DEFAULT_VPC_HINT);
  printCauses(error instanceof Error ? error.cause : undefined, io);
  if (io.env["ECS_FANOUT_DEBUG"] && error instanceof Error && error.stack) println(io.stderr, error.stack);
  return usage ? ExitCode.usage : ExitCode.failure;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = errorCode(error);
  const label = code ? `${error.name} [${code}]` : error.name;
  return `${label}: ${error.message}`;
}

/** One line per cause, at most a few deep: enough to see AWS's or ffmpeg's own words. */
function printCauses(cause: unknown, io: CliIo): void {
  let current = cause;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    println(io.stderr, `  caused by ${describe(current)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
}

export { processIo };
