/** Base class of every error this package throws itself; `code` is stable across versions. */
export class LocalEcsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The config given to `startLocalEcs` or the bin is invalid; `problems` lists every one found. */
export class LocalEcsConfigError extends LocalEcsError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super("LOCAL_CONFIG_INVALID", `invalid local ECS config:\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}

/** The endpoint could not start (port in use, loopback address not bindable, ...). */
export class LocalEcsStartError extends LocalEcsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LOCAL_START_FAILED", message, options);
  }
}

/**
 * An error answered to an API client. `type` is the AWS error shape name the SDK maps to its
 * exception class (ClusterNotFoundException, InvalidParameterException, ...).
 */
export class ApiError extends LocalEcsError {
  readonly type: string;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(
    type: string,
    message: string,
    options: { status?: number; extra?: Record<string, unknown> } = {},
  ) {
    super("LOCAL_API_ERROR", message);
    this.type = type;
    this.status = options.status ?? 400;
    this.extra = options.extra ?? {};
  }
}

export const invalidParameter = (message: string): ApiError =>
  new ApiError("InvalidParameterException", message);
export const clientError = (message: string): ApiError => new ApiError("ClientException", message);
export const throttled = (): ApiError => new ApiError("ThrottlingException", "Rate exceeded");
