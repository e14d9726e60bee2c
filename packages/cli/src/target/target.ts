import type { AwsClients, AwsConfig, BatchRunOptions } from "ecs-fanout";

/** The part of a run's options that says where tasks run. */
export type TargetRunOptions = Pick<
  BatchRunOptions,
  "cluster" | "taskDefinition" | "launch" | "network" | "overrides" | "pollIntervalMs" | "timeouts" | "retry"
>;

/**
 * Where commands send their ECS calls: the in-process local endpoint or AWS. Opened once per
 * command and always closed, so a local endpoint never outlives the command.
 */
export interface Target {
  readonly kind: "local" | "aws";
  /** One line that says where the work runs, printed before anything starts. */
  readonly notice: string;
  readonly aws?: AwsConfig;
  readonly clients?: AwsClients;
  /** Stops the local endpoint (and every task process) or destroys the AWS clients. */
  close(): Promise<void>;
}
