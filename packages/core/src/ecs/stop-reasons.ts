import type { TaskSnapshot } from "./snapshot.js";

/**
 * Error names ECS puts at the start of a stopped reason when the task could never have started,
 * whatever the capacity: they come from the task definition, the image, a secret or a role.
 * ECS gives only a reason string here (no error name field), so its documented prefixes are
 * matched, as for RunTask `failures[].reason`.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 */
const CONFIGURATION_PREFIXES = [
  "ResourceInitializationError",
  "CannotPullContainerError",
  "CannotCreateContainerError",
  "CannotInspectContainerError",
  "ContainerDefinitionConfigError",
  "InvalidParameterException",
  "SecretsManagerException",
  "AccessDeniedException",
];

// Pull failures that AWS documents as passing (registry throttling, timeouts) keep their retries.
const TRANSIENT_HINTS =
  /toomanyrequests|rate exceeded|i\/o timeout|context deadline exceeded|connection reset/i;

/**
 * The configuration problem a stopped task shows, in AWS's words — or undefined when the stop
 * looks like bad luck (Spot, a crash, capacity, our own StopTask) and a replacement may work.
 */
export function configurationStopCause(snapshot: TaskSnapshot): string | undefined {
  if (snapshot.stopCode === "UserInitiated" || snapshot.stopCode === "SpotInterruption") return undefined;
  for (const reason of [snapshot.stoppedReason, snapshot.containerReason]) {
    if (reason === undefined) continue;
    const trimmed = reason.trimStart();
    if (!CONFIGURATION_PREFIXES.some((p) => trimmed.startsWith(p))) continue;
    if (TRANSIENT_HINTS.test(trimmed)) continue;
    return trimmed;
  }
  return undefined;
}
