import type { AwsErrorKind } from "../errors.js";

const BY_NAME: Readonly<Record<string, AwsErrorKind>> = {
  ThrottlingException: "throttling",
  Throttling: "throttling",
  ThrottledException: "throttling",
  RequestLimitExceeded: "throttling",
  RequestThrottled: "throttling",
  RequestThrottledException: "throttling",
  TooManyRequestsException: "throttling",
  SlowDown: "throttling",
  ServerException: "transient",
  InternalError: "transient",
  InternalFailure: "transient",
  InternalServerError: "transient",
  ServiceUnavailable: "transient",
  ServiceUnavailableException: "transient",
  Unavailable: "transient",
  TimeoutError: "transient",
  RequestTimeout: "transient",
  RequestTimeoutException: "transient",
  AccessDeniedException: "permission",
  AccessDenied: "permission",
  UnauthorizedOperation: "permission",
  UnrecognizedClientException: "permission",
  InvalidClientTokenId: "permission",
  ExpiredTokenException: "permission",
  ExpiredToken: "permission",
  AuthFailure: "permission",
  InvalidSignatureException: "permission",
  MissingAuthenticationToken: "permission",
  CredentialsProviderError: "permission",
  ClusterNotFoundException: "not-found",
  ResourceNotFoundException: "not-found",
  "InvalidNetworkInterfaceID.NotFound": "not-found",
  "InvalidInstanceID.NotFound": "not-found",
  ConflictException: "conflict",
  ClientException: "configuration",
  InvalidParameterException: "configuration",
  InvalidParameterValue: "configuration",
  InvalidParameterCombination: "configuration",
  MissingParameter: "configuration",
  ValidationException: "configuration",
  PlatformUnknownException: "configuration",
  PlatformTaskDefinitionIncompatibilityException: "configuration",
  UnsupportedFeatureException: "configuration",
  BlockedException: "configuration",
  ClusterContainsTasksException: "configuration",
};

/** Node socket error codes that mean "try again" (read from `error.code`, never from message text). */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** Classifies an AWS SDK (or network) error by `error.name`, `code` and HTTP status — never by message. */
export function classifyAwsError(error: unknown): AwsErrorKind {
  if (typeof error !== "object" || error === null) return "unknown";
  const e = error as ErrorShape;
  const name = typeof e.name === "string" ? e.name : "";
  if (isDisguisedThrottling(name, e.message)) return "throttling";
  const known = BY_NAME[name];
  if (known !== undefined) return known;
  if (e.$retryable?.throttling === true) return "throttling";
  if (typeof e.code === "string" && TRANSIENT_CODES.has(e.code)) return "transient";
  const status = e.$metadata?.httpStatusCode;
  if (status === 429) return "throttling";
  if (status !== undefined && status >= 500) return "transient";
  if (e.$retryable !== undefined) return "transient";
  return "unknown";
}

/**
 * ECS sometimes reports its API rate limit as `InvalidParameterException` with the message
 * "Rate exceeded" instead of `ThrottlingException`; the name alone would fail the run as a
 * configuration error. This is the one place a message is read, and only for that exact text.
 */
function isDisguisedThrottling(name: string, message: unknown): boolean {
  return (
    name === "InvalidParameterException" &&
    typeof message === "string" &&
    /^\s*rate exceeded\.?\s*$/i.test(message)
  );
}

/** Throttling and transient failures are retried; everything else fails fast. */
export function isRetryableKind(kind: AwsErrorKind): boolean {
  return kind === "throttling" || kind === "transient";
}

/** The request id AWS attached to an error, if any. */
export function requestIdOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  return (error as ErrorShape).$metadata?.requestId;
}

/** The error's name, if it has one. */
export function errorNameOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const name = (error as ErrorShape).name;
  return typeof name === "string" ? name : undefined;
}

/** What kind of RunTask `failures[].reason` this is. */
export type PlacementFailureKind = "capacity" | "spot-capacity" | "configuration";

/**
 * Classifies a RunTask `failures[].reason`. AWS only gives a reason string here (no error name),
 * so the documented reason values are matched: RESOURCE:* and AGENT mean "not enough room now";
 * Fargate's "Capacity is unavailable…" means capacity, Spot capacity when launching on Spot.
 * ATTRIBUTE and anything unknown are configuration problems: retrying cannot fix them.
 */
export function classifyPlacementFailure(reason: string, onSpot: boolean): PlacementFailureKind {
  if (reason.startsWith("RESOURCE:") || reason === "AGENT") return "capacity";
  if (/^capacity is unavailable/i.test(reason)) return onSpot ? "spot-capacity" : "capacity";
  return "configuration";
}
