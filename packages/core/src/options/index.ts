/**
 * `ecs-fanout/options`: schemas of run options, for front ends (such as the CLI) that validate a
 * value the user typed with the very rules the run applies, without loading the run API and its
 * AWS clients first. A value these accept is one `executeParallelBatches` accepts.
 */

export type { LivenessOptions } from "./limits.js";
export { livenessSchema } from "./limits.js";
