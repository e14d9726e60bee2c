/** Base of every error the worker raises; `code` is stable and safe to match on. */
export class WorkerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The environment does not describe a runnable worker; `problems` lists every issue found. */
export class WorkerConfigError extends WorkerError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("WORKER_CONFIG_INVALID", `invalid worker configuration:\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}

/** The x-fanout-params header (or the options inside it) cannot be used. */
export class ParamsError extends WorkerError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("INVALID_PARAMS", `invalid x-fanout-params: ${problems.join("; ")}`);
    this.problems = problems;
  }
}

/** A processor could not turn the input into an output; fails that job only. */
export class ProcessorError extends WorkerError {
  readonly processor: string;
  readonly jobId: string;
  constructor(code: string, message: string, context: { processor: string; jobId: string; cause?: unknown }) {
    super(code, message, { cause: context.cause });
    this.processor = context.processor;
    this.jobId = context.jobId;
  }
}

/** An external tool (Real-ESRGAN, SeedVR2) exited badly; carries its last output lines. */
export class ToolError extends WorkerError {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly outputTail: readonly string[];
  constructor(context: {
    tool: string;
    command: readonly string[];
    exitCode: number | null;
    signal: string | null;
    outputTail: readonly string[];
    cause?: unknown;
  }) {
    const how = context.signal ? `was killed by ${context.signal}` : `exited with code ${context.exitCode}`;
    const tail = context.outputTail.slice(-3).join(" | ");
    super("TOOL_FAILED", `${context.tool} ${how}${tail ? `: ${tail}` : ""}`, { cause: context.cause });
    this.command = context.command;
    this.exitCode = context.exitCode;
    this.signal = context.signal;
    this.outputTail = context.outputTail;
  }
}
