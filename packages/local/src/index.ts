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
export type { CallStats } from "./server/router.js";
