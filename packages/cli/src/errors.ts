import type { Problem } from "@ecs-fanout/protocol";
import type { BatchRunResult } from "ecs-fanout";

/**
 * Exit codes of the `ecs-fanout` command. Only the CLI maps errors to them; the libraries it
 * builds on only throw.
 */
export const ExitCode = {
  ok: 0,
  /** The work failed: a segment, the verification, AWS, ffmpeg. */
  failure: 1,
  /** Bad arguments: nothing was launched. */
  usage: 2,
  /** Interrupted (SIGINT/SIGTERM) after stopping every task. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable codes of the CLI's own errors. */
export type CliErrorCode =
  | "USAGE"
  | "VERIFICATION_FAILED"
  | "RUN_FAILED"
  | "INTERRUPTED"
  | "ABORTED_BY_USER"
  | "S3_TRANSFER_FAILED";

/** Base class of every error the CLI raises itself; `code` is stable, `exitCode` is what the process returns. */
export class CliError extends Error {
  override name = "CliError";
  readonly code: CliErrorCode;
  readonly exitCode: ExitCode;

  constructor(code: CliErrorCode, message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad arguments. Every problem found is listed, each named by its flag, so one correction round is enough. */
export class UsageError extends CliError {
  override name = "UsageError";
  readonly problems: readonly Problem[];

  /** `what` names the arguments, e.g. `run options`; each problem's path is a flag or `<input>`. */
  constructor(what: string, problems: readonly Problem[], options?: { cause?: unknown }) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n");
    super(
      "USAGE",
      `invalid ${what} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines}`,
      ExitCode.usage,
      options,
    );
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}

/** The output exists but is not what the input promised (size, duration, audio). */
export class VerificationError extends CliError {
  override name = "VerificationError";
  readonly problems: readonly string[];
  /** Where the rejected file was left for inspection (never at the path the user named). */
  readonly unverifiedPath: string;

  constructor(unverifiedPath: string, problems: readonly string[]) {
    super(
      "VERIFICATION_FAILED",
      `the output failed verification (left at ${unverifiedPath}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      ExitCode.failure,
    );
    this.problems = Object.freeze([...problems]);
    this.unverifiedPath = unverifiedPath;
  }
}

/** Some segments failed after every retry; the report says which and why. */
export class RunFailedError extends CliError {
  override name = "RunFailedError";
  readonly failedSegments: readonly string[];
  /** The run's result, so the report can still show what every task did and cost. */
  readonly result: BatchRunResult | undefined;

  constructor(
    failedSegments: readonly string[],
    message: string,
    options?: { cause?: unknown; result?: BatchRunResult },
  ) {
    super("RUN_FAILED", message, ExitCode.failure, options);
    this.failedSegments = Object.freeze([...failedSegments]);
    this.result = options?.result;
  }
}

/** SIGINT/SIGTERM: the run was aborted and its tasks stopped. */
export class InterruptedError extends CliError {
  override name = "InterruptedError";
  readonly signal: string;

  constructor(signal: string, options?: { cause?: unknown }) {
    super(
      "INTERRUPTED",
      `interrupted by ${signal}; every task of this run was stopped`,
      ExitCode.interrupted,
      options,
    );
    this.signal = signal;
  }
}

/** The user answered "no" at a confirmation prompt. */
export class DeclinedError extends CliError {
  override name = "DeclinedError";
  constructor(what: string) {
    super("ABORTED_BY_USER", `${what}: nothing done`, ExitCode.failure);
  }
}
