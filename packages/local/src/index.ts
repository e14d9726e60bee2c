export type {
  CapacityProviderConfig,
  FaultConfig,
  ImageMapping,
  InstanceRequirements,
  LocalEcsConfig,
  ManagedProviderConfig,
} from "./config.js";
export { type NormalizedConfig, normalizeConfig } from "./config.js";
export { ApiError, LocalEcsConfigError, LocalEcsError, LocalEcsStartError } from "./errors.js";
export type { LocalEcs } from "./local-ecs.js";
export { startLocalEcs } from "./local-ecs.js";
export { LOCAL_S3_CREDENTIALS, type LocalS3, type LocalS3Options, startLocalS3 } from "./s3/local-s3.js";
export type { CallStats } from "./server/router.js";
export { containerRuntimeProblem } from "./tasks/container.js";
