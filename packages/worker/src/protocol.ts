/**
 * Worker protocol v1, as this worker speaks it: the shapes, the job-id rule and the params header
 * come from `@ecs-fanout/protocol`, the one definition the orchestrator checks answers against.
 */
export {
  DEFAULT_PROCESSOR,
  decodeParams,
  type ErrorResponse,
  encodeParams,
  type FanoutParams,
  HEADER_PARAMS,
  HEADER_SHA256,
  type HealthResponse,
  type InfoResponse,
  isValidJobId,
  type JobOutputInfo,
  type JobState,
  type JobStatus,
  type JobTimings,
  MAX_WAIT_SECONDS,
  PROTOCOL_VERSION,
} from "@ecs-fanout/protocol";

/** "expected … got …" helper shared by option validators. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
