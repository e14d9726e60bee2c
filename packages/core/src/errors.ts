/**
 * Every error ecs-fanout throws. Each carries a stable `code` so callers can branch without
 * matching message text, plus the context needed to act on it (cluster, task, segment, AWS
 * error name, request id, attempt) and the original `cause`.
 */

/** Base class of every ecs-fanout error. */
export class FanoutError extends Error {
  /** Stable, machine-readable code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found while validating options: where it is, and what was expected. */
export interface ValidationProblem {
  /** Option path, e.g. `segments[2].id`. */
  readonly path: string;
  /** "expected … got …" sentence. */
  readonly message: string;
}

/** Options were invalid. Lists every problem at once; thrown before any AWS call. */
export class ValidationError extends FanoutError {
  readonly problems: readonly ValidationProblem[];

  constructor(what: string, problems: readonly ValidationProblem[]) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n");
    super(
      "INVALID_OPTIONS",
      `invalid ${what} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines}`,
    );
    this.problems = Object.freeze([...problems]);
  }
}

/** How an AWS failure should be treated. */
export type AwsErrorKind =
  | "throttling"
  | "transient"
  | "permission"
  | "configuration"
  | "not-found"
  | "conflict"
  | "unknown";

/** Context shared by errors that come from an AWS call. */
export interface AwsErrorContext {
  /** The AWS operation, e.g. `RunTask`. */
  readonly operation: string;
  /** The cluster the call was about. */
  readonly cluster?: string | undefined;
  /** The task the call was about. */
  readonly taskArn?: string | undefined;
  /** AWS's error name, e.g. `ThrottlingException`. */
  readonly awsErrorName?: string | undefined;
  /** The request id AWS returned. */
  readonly requestId?: string | undefined;
  /** Attempts made (1 = no retry). */
  readonly attempt?: number | undefined;
  /** Time from the first attempt to the failure. */
  readonly durationMs?: number | undefined;
}

/** An AWS API call failed (after retries, if it was retryable). */
export class AwsCallError extends FanoutError {
  readonly operation: string;
  readonly kind: AwsErrorKind;
  readonly cluster: string | undefined;
  readonly taskArn: string | undefined;
  readonly awsErrorName: string | undefined;
  readonly requestId: string | undefined;
  readonly attempt: number | undefined;
  readonly durationMs: number | undefined;

  constructor(kind: AwsErrorKind, context: AwsErrorContext, message: string, cause?: unknown) {
    super("AWS_CALL_FAILED", `${context.operation} failed (${context.awsErrorName ?? kind}): ${message}`, {
      cause,
    });
    this.kind = kind;
    this.operation = context.operation;
    this.cluster = context.cluster;
    this.taskArn = context.taskArn;
    this.awsErrorName = context.awsErrorName;
    this.requestId = context.requestId;
    this.attempt = context.attempt;
    this.durationMs = context.durationMs;
  }
}

/** One entry of RunTask `failures[]`, kept verbatim. */
export interface LaunchFailureReason {
  readonly reason: string;
  readonly detail?: string | undefined;
  readonly arn?: string | undefined;
}

/** Tasks could not be launched: AWS refused (configuration, permission) or capacity never came. */
export class LaunchError extends FanoutError {
  readonly cluster: string;
  readonly failures: readonly LaunchFailureReason[];
  readonly attempts: number;

  constructor(
    message: string,
    context: { cluster: string; failures?: readonly LaunchFailureReason[]; attempts?: number },
    cause?: unknown,
  ) {
    super("LAUNCH_FAILED", message, { cause });
    this.cluster = context.cluster;
    this.failures = Object.freeze([...(context.failures ?? [])]);
    this.attempts = context.attempts ?? 1;
  }
}

/** A worker answered with an HTTP error, or could not be reached. */
export class WorkerError extends FanoutError {
  readonly taskArn: string;
  readonly url: string;
  readonly statusCode: number | undefined;
  /** Error code from the worker's JSON body, when it sent one. */
  readonly workerCode: string | undefined;

  constructor(
    message: string,
    context: { taskArn: string; url: string; statusCode?: number; workerCode?: string },
    cause?: unknown,
  ) {
    super("WORKER_ERROR", message, { cause });
    this.taskArn = context.taskArn;
    this.url = context.url;
    this.statusCode = context.statusCode;
    this.workerCode = context.workerCode;
  }
}

/** The worker at an address is not the one we launched (stale worker on a reused IP, or wrong run). */
export class WorkerIdentityError extends FanoutError {
  readonly taskArn: string;
  readonly url: string;

  constructor(message: string, context: { taskArn: string; url: string }) {
    super("WORKER_IDENTITY_MISMATCH", message);
    this.taskArn = context.taskArn;
    this.url = context.url;
  }
}

/** A downloaded output did not match the size or sha256 the worker reported. */
export class IntegrityError extends FanoutError {
  readonly segmentId: string;
  readonly expected: { bytes: number; sha256: string };
  readonly actual: { bytes: number; sha256: string };

  constructor(
    segmentId: string,
    expected: { bytes: number; sha256: string },
    actual: { bytes: number; sha256: string },
  ) {
    super(
      "INTEGRITY_MISMATCH",
      `output of segment ${segmentId} failed verification: expected ${expected.bytes} bytes sha256 ${expected.sha256}, got ${actual.bytes} bytes sha256 ${actual.sha256}`,
    );
    this.segmentId = segmentId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The worker ran the job and it failed (e.g. the processor's own error). */
export class JobFailedError extends FanoutError {
  readonly segmentId: string;
  readonly taskArn: string;
  readonly workerCode: string | undefined;

  constructor(segmentId: string, taskArn: string, message: string, workerCode?: string) {
    super("JOB_FAILED", message);
    this.segmentId = segmentId;
    this.taskArn = taskArn;
    this.workerCode = workerCode;
  }
}

/** The task serving a segment stopped or became unreachable (Spot interruption, crash, StopTask). */
export class TaskLostError extends FanoutError {
  readonly taskArn: string;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;

  constructor(
    taskArn: string,
    message: string,
    context?: { stopCode?: string; stoppedReason?: string },
    cause?: unknown,
  ) {
    super("TASK_LOST", message, { cause });
    this.taskArn = taskArn;
    this.stopCode = context?.stopCode;
    this.stoppedReason = context?.stoppedReason;
  }
}

/**
 * The run's configuration cannot work, whatever capacity comes: the task definition names a log
 * group that does not exist, an image that cannot be pulled, a missing secret or role. Raised by
 * the preflight before any RunTask, or on the first task that stops for such a reason — launching
 * replacements would only burn money on the same failure.
 */
export class ConfigurationError extends FanoutError {
  /** The task that showed the problem, when a task did. */
  readonly taskArn: string | undefined;
  readonly stopCode: string | undefined;
  /** AWS's own words (the task's or its container's stopped reason). */
  readonly stoppedReason: string | undefined;

  constructor(
    message: string,
    context?: { taskArn?: string; stopCode?: string; stoppedReason?: string },
    cause?: unknown,
  ) {
    super("CONFIGURATION", message, { cause });
    this.taskArn = context?.taskArn;
    this.stopCode = context?.stopCode;
    this.stoppedReason = context?.stoppedReason;
  }
}

/** A wait ran past its limit. */
export class FanoutTimeoutError extends FanoutError {
  readonly operation: string;
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number, message?: string) {
    super("TIMEOUT", message ?? `${operation} did not finish within ${timeoutMs} ms`);
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** The run was interrupted by SIGINT/SIGTERM (only with `handleSignals: true`); every task was stopped first. */
export class RunInterruptedError extends FanoutError {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super("INTERRUPTED", `run interrupted by ${signal}; every launched task was stopped`);
    this.signal = signal;
  }
}

/** No task could serve the remaining segments (all lost, replacements used up or refused). */
export class NoCapacityError extends FanoutError {
  /** Why the last tasks were lost (stop code and ECS's stopped reason, or what failed), most recent last. */
  readonly lostBecause: readonly string[];

  constructor(message: string, cause?: unknown, lostBecause: readonly string[] = []) {
    super("NO_CAPACITY", message, { cause });
    this.lostBecause = Object.freeze([...lostBecause]);
  }
}

/**
 * An awsvpc run (Fargate, or a task definition with `networkMode: "awsvpc"`) named no subnets,
 * and the account has no default VPC in the region — or it has one without default subnets — to
 * fall back to. Thrown before any task is launched; the message says what to pass instead.
 */
export class NoDefaultVpcError extends FanoutError {
  /** The region looked in. */
  readonly region: string;
  /** The default VPC, when it exists but has no default subnets. */
  readonly vpcId: string | undefined;

  constructor(region: string, vpcId?: string) {
    const what =
      vpcId === undefined
        ? `the account has no default VPC in ${region}`
        : `the default VPC ${vpcId} in ${region} has no default subnets`;
    super(
      "NO_DEFAULT_VPC",
      `${what}, and the run named no subnets: pass network.subnets (subnet ids of your VPC, in several availability zones), ` +
        "with network.securityGroups allowing the worker port from where ecs-fanout runs, and " +
        "network.assignPublicIp: true for public subnets (e.g. network: { subnets: ['subnet-…'], securityGroups: ['sg-…'], assignPublicIp: true })",
    );
    this.region = region;
    this.vpcId = vpcId;
  }
}

/** A run manifest could not be read: a line too long, not JSON, or not a record (every problem, by line). */
export class ManifestError extends FanoutError {
  readonly path: string;
  readonly problems: readonly ValidationProblem[];

  constructor(path: string, problems: readonly ValidationProblem[], options?: { cause?: unknown }) {
    const shown = problems.slice(0, 20).map((p) => `  - ${p.path}: ${p.message}`);
    if (problems.length > shown.length) shown.push(`  - … ${problems.length - shown.length} more`);
    super("INVALID_MANIFEST", `invalid manifest ${path}:\n${shown.join("\n")}`, options);
    this.path = path;
    this.problems = Object.freeze([...problems]);
  }
}
