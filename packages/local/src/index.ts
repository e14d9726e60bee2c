export type { CapacityProviderConfig, FaultConfig, ImageMapping, LocalEcsConfig } from "./config.js";
export { type NormalizedConfig, normalizeConfig } from "./config.js";
export { ApiError, LocalEcsConfigError, LocalEcsError, LocalEcsStartError } from "./errors.js";
export type { LocalEcs } from "./local-ecs.js";
export { startLocalEcs } from "./local-ecs.js";
export type { CallStats } from "./server/router.js";
export { containerRuntimeProblem } from "./tasks/container.js";
