export type { Checked, Problem } from "./problems.js";
export {
  checkSchema,
  describeSchema,
  describeValue,
  expectedGot,
  formatIssues,
  formatPath,
  suggestKey,
} from "./problems.js";
export {
  DEFAULT_PROCESSOR,
  HEADER_SHA256,
  MAX_WAIT_SECONDS,
  PROTOCOL_VERSION,
  WORKER_ENV,
} from "./v1/constants.js";
export { isValidJobId, jobIdSchema } from "./v1/job-id.js";
export {
  type JobOutputInfo,
  type JobState,
  type JobStatus,
  type JobTimings,
  jobErrorSchema,
  jobOutputSchema,
  jobStateSchema,
  jobStatusSchema,
  jobTimingsSchema,
} from "./v1/job-status.js";
export {
  decodeParams,
  encodeParams,
  type FanoutParams,
  fanoutParamsSchema,
  HEADER_PARAMS,
} from "./v1/params.js";
export {
  type DrainResponse,
  drainResponseSchema,
  type ErrorResponse,
  errorResponseSchema,
  type HealthResponse,
  healthResponseSchema,
  type InfoResponse,
  infoResponseSchema,
  type ShutdownResponse,
  shutdownResponseSchema,
} from "./v1/responses.js";
