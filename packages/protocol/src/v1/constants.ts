/** The protocol version these schemas describe (the routes and shapes of docs/worker-protocol.md). */
export const PROTOCOL_VERSION = 1;

/**
 * Header with a hex SHA-256: optional on upload (a mismatch is rejected with 400), always sent
 * with a downloaded output.
 */
export const HEADER_SHA256 = "x-content-sha256";
/** Longest long poll a status request may ask for with `waitSeconds`. */
export const MAX_WAIT_SECONDS = 60;
/** The processor used when `x-fanout-params` names none. */
export const DEFAULT_PROCESSOR = "ffmpeg-scale";

/**
 * Environment variables the orchestrator sets on every worker container (RunTask overrides).
 * None of them lets a reader of the task (DescribeTasks, CloudTrail) call the worker: the
 * bearer token itself never leaves the orchestrator, only its SHA-256 does.
 */
export const WORKER_ENV = {
  /** base64 of the PEM certificate the worker serves HTTPS with (self-signed, made per run). */
  tlsCert: "FANOUT_TLS_CERT",
  /** base64 of the PEM (PKCS#8) private key of that certificate. */
  tlsKey: "FANOUT_TLS_KEY",
  /** Lowercase hex SHA-256 of the run's bearer token. */
  tokenSha256: "FANOUT_TOKEN_SHA256",
  /** The run's id (a UUID), reported back in `/v1/info`. */
  runId: "FANOUT_RUN_ID",
  /** `1`: serve plain HTTP (only when the run opted out of TLS). */
  insecurePlainHttp: "FANOUT_INSECURE_PLAIN_HTTP",
} as const;
