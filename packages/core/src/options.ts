/**
 * The networking a run settled on, and re-exports of the parsed option shapes that RunTask
 * requests and worker calls are built from. Options themselves are schemas in `options/`.
 */
export type { ResolvedOverrides } from "./options/overrides.js";
export type { SegmentInput } from "./options/segments.js";
export type { TransportOptions } from "./worker/transport-options.js";

/**
 * The networking a run launches its tasks with, once the default VPC fallback is decided; carried
 * by the `run.started` event.
 */
export interface RunNetwork {
  /** awsvpc subnets; undefined when the launch does not use awsvpc (EC2 bridge or host mode). */
  readonly subnets: readonly string[] | undefined;
  /** Security groups passed to RunTask; undefined: the VPC's default one, chosen by ECS. */
  readonly securityGroups: readonly string[] | undefined;
  readonly assignPublicIp: boolean;
  /** Which address the orchestrator uses to reach workers. */
  readonly endpoint: "public" | "private";
  /** The default VPC's id when the subnets (and security group) came from it, else undefined. */
  readonly defaultVpc: string | undefined;
}

/** The awsvpc part of RunTask. */
export interface ResolvedNetwork {
  readonly subnets: readonly string[];
  readonly securityGroups?: readonly string[] | undefined;
  readonly assignPublicIp: boolean;
  readonly endpoint?: "public" | "private" | undefined;
}
