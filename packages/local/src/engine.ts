import type { NormalizedConfig } from "./config.js";
import type { Faults } from "./faults.js";
import type { LogStore } from "./logs.js";
import type { RateLimiter } from "./rate-limit.js";
import type { Store } from "./state.js";
import type { Capacity } from "./tasks/capacity.js";
import type { Lifecycle } from "./tasks/lifecycle.js";
import type { ManagedCapacity } from "./tasks/managed-capacity.js";

/** What the API handlers work on. */
export interface Engine {
  config: NormalizedConfig;
  store: Store;
  logs: LogStore;
  faults: Faults;
  capacity: Capacity;
  managed: ManagedCapacity;
  lifecycle: Lifecycle;
  rateLimiter: RateLimiter;
}
