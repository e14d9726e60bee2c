import { randomUUID } from "node:crypto";
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import pRetry, { AbortError } from "p-retry";
import { awsCall } from "../aws/call.js";
import { classifyPlacementFailure, type PlacementFailureKind } from "../aws/classify.js";
import type { AwsContext } from "../aws/context.js";
import { LaunchError, type LaunchFailureReason } from "../errors.js";
import type { Launch } from "../options/launch.js";
import {
  buildRunTaskInput,
  type CapacityChoice,
  RUN_TASK_MAX_COUNT,
  type RunTaskRequest,
} from "./requests.js";
import { snapshotOf, type TaskSnapshot } from "./snapshot.js";

/** The capacity a launch mode asks for first. */
export function primaryCapacity(launch: Launch): CapacityChoice {
  switch (launch.type) {
    case "FARGATE":
      return { launchType: "FARGATE" };
    case "EC2":
      return { launchType: "EC2" };
    case "FARGATE_SPOT":
      return { strategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] };
    case "CAPACITY_PROVIDER":
      return { strategy: launch.capacityProviderStrategy };
  }
}

const isSpot = (c: CapacityChoice): boolean =>
  "strategy" in c && c.strategy.length > 0 && c.strategy.every((s) => s.capacityProvider === "FARGATE_SPOT");

/** Hooks a launch reports through. */
export interface LaunchHooks {
  /** Called for each task the moment RunTask returns it, so it is tracked (and stopped) even if a later call throws. */
  onLaunched(task: TaskSnapshot): void;
  onLaunchFailed(info: {
    count: number;
    reasons: string[];
    kind: PlacementFailureKind;
    willRetry: boolean;
  }): void;
  onFallback(info: { from: string; to: string; count: number; reason: string }): void;
}

/** The RunTask parameters shared by every call of a launch. */
export type LaunchBase = Omit<RunTaskRequest, "count" | "capacity" | "clientToken">;

/** Thrown inside the retry loop when capacity fell short; retried with backoff. */
class CapacityShortfall extends Error {
  constructor(readonly failures: LaunchFailureReason[]) {
    super(`capacity unavailable: ${failures.map((f) => f.reason).join("; ")}`);
  }
}

/**
 * Launches `count` tasks in RunTask calls of at most 10, each with its own clientToken (an AWS
 * retry of the same call reuses it, so a retry never launches twice). Reads `failures[]`:
 * capacity/placement → retried with backoff and jitter; Spot capacity → on-demand Fargate when
 * allowed; anything else → LaunchError with AWS's reasons at once. Resolves with the launched
 * tasks; when capacity never came for some, `shortfall` says how many and why.
 */
export async function launchTasks(
  ctx: AwsContext,
  base: LaunchBase,
  count: number,
  launch: Launch,
  retry: { launchRetries: number; minBackoffMs: number; maxBackoffMs: number },
  hooks: LaunchHooks,
): Promise<{
  launched: TaskSnapshot[];
  shortfall: { count: number; failures: LaunchFailureReason[] } | undefined;
}> {
  let capacity = primaryCapacity(launch);
  const fallback = launch.type === "FARGATE_SPOT" && launch.fallbackToOnDemand;
  const launched: TaskSnapshot[] = [];
  let remaining = count;
  let attempts = 0;
  let lastFailures: LaunchFailureReason[] = [];
  try {
    await pRetry(
      async () => {
        attempts += 1;
        while (remaining > 0) {
          const n = Math.min(RUN_TASK_MAX_COUNT, remaining);
          const input = buildRunTaskInput({ ...base, count: n, capacity, clientToken: randomUUID() });
          const response = await awsCall(
            ctx.policy,
            { operation: "RunTask", bucket: ctx.buckets.modify, cluster: ctx.cluster, signal: ctx.signal },
            // No abortSignal on the request itself: an aborted RunTask may still have launched
            // tasks, and only its answer says which ones to stop.
            () => ctx.clients.ecs.send(new RunTaskCommand(input)),
          );
          for (const task of response.tasks ?? []) {
            const snapshot = snapshotOf(task, base.containerName);
            launched.push(snapshot);
            hooks.onLaunched(snapshot);
          }
          remaining -= response.tasks?.length ?? 0;
          const failures: LaunchFailureReason[] = (response.failures ?? []).map((f) => ({
            reason: f.reason ?? "unknown",
            detail: f.detail,
            arn: f.arn,
          }));
          if (failures.length === 0) {
            if ((response.tasks?.length ?? 0) < n)
              throw new CapacityShortfall([{ reason: "RunTask returned fewer tasks than asked" }]);
            continue;
          }
          lastFailures = failures;
          const kinds = failures.map((f) => classifyPlacementFailure(f.reason, isSpot(capacity)));
          const reasons = failures.map((f) => f.reason);
          const missing = n - (response.tasks?.length ?? 0);
          if (kinds.includes("configuration")) {
            hooks.onLaunchFailed({ count: missing, reasons, kind: "configuration", willRetry: false });
            throw new AbortError(
              new LaunchError(`RunTask refused the task: ${reasons.join("; ")}`, {
                cluster: ctx.cluster,
                failures,
                attempts,
              }),
            );
          }
          if (kinds.includes("spot-capacity") && fallback && isSpot(capacity)) {
            hooks.onFallback({
              from: "FARGATE_SPOT",
              to: "FARGATE",
              count: missing,
              reason: reasons[0] ?? "",
            });
            capacity = { launchType: "FARGATE" };
            continue;
          }
          throw new CapacityShortfall(failures);
        }
      },
      {
        retries: retry.launchRetries,
        minTimeout: retry.minBackoffMs,
        maxTimeout: retry.maxBackoffMs,
        factor: 2,
        randomize: true,
        signal: ctx.signal,
        shouldRetry: ({ error }) => error instanceof CapacityShortfall,
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (error instanceof CapacityShortfall) {
            hooks.onLaunchFailed({
              count: remaining,
              reasons: error.failures.map((f) => f.reason),
              kind: isSpot(capacity) ? "spot-capacity" : "capacity",
              willRetry: retriesLeft > 0,
            });
          }
        },
      },
    );
  } catch (error) {
    if (error instanceof CapacityShortfall) {
      return { launched, shortfall: { count: remaining, failures: lastFailures } };
    }
    throw error;
  }
  return { launched, shortfall: undefined };
}
