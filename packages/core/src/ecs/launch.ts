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
  /**
   * Called once per wave that had refusals: `tried` placements were asked for in the wave,
   * `count` of them were refused, `reasons` holds AWS's reason for each refusal.
   */
  onLaunchFailed(info: {
    tried: number;
    count: number;
    reasons: string[];
    kind: PlacementFailureKind;
    willRetry: boolean;
  }): void;
  onFallback(info: { from: string; to: string; count: number; reason: string }): void;
}

/** The RunTask parameters shared by every call of a launch. */
export type LaunchBase = Omit<RunTaskRequest, "count" | "capacity" | "clientToken">;

/** Thrown inside the retry loop when capacity fell short for a wave; retried with backoff. */
class CapacityShortfall extends Error {
  constructor(
    readonly tried: number,
    readonly failures: LaunchFailureReason[],
  ) {
    super(`capacity unavailable: ${failures.map((f) => f.reason).join("; ")}`);
  }
}

/** What one wave of RunTask calls got back. */
interface Wave {
  launched: number;
  failures: LaunchFailureReason[];
}

/** Splits `count` into RunTask calls of at most 10. */
function callSizes(count: number): number[] {
  const sizes: number[] = [];
  for (let left = count; left > 0; left -= RUN_TASK_MAX_COUNT) sizes.push(Math.min(RUN_TASK_MAX_COUNT, left));
  return sizes;
}

/**
 * Sends every RunTask call of a wave (the token bucket paces them), and only then looks at the
 * refusals: one refused placement must not hold back the calls not yet sent. Waits for every
 * call before rethrowing an error, so each launched task is reported.
 */
async function sendWave(
  ctx: AwsContext,
  base: LaunchBase,
  count: number,
  capacity: CapacityChoice,
  hooks: LaunchHooks,
): Promise<Wave> {
  const settled = await Promise.allSettled(
    callSizes(count).map(async (n) => {
      const input = buildRunTaskInput({ ...base, count: n, capacity, clientToken: randomUUID() });
      const response = await awsCall(
        ctx.policy,
        { operation: "RunTask", bucket: ctx.buckets.modify, cluster: ctx.cluster, signal: ctx.signal },
        // No abortSignal on the request itself: an aborted RunTask may still have launched
        // tasks, and only its answer says which ones to stop.
        () => ctx.clients.ecs.send(new RunTaskCommand(input)),
      );
      const tasks = response.tasks ?? [];
      for (const task of tasks) hooks.onLaunched(snapshotOf(task, base.containerName));
      const failures: LaunchFailureReason[] = (response.failures ?? []).map((f) => ({
        reason: f.reason ?? "unknown",
        detail: f.detail,
        arn: f.arn,
      }));
      // A short answer without failures[] still counts as refused, one reason per missing task.
      for (let i = tasks.length + failures.length; i < n; i++)
        failures.push({ reason: "RunTask returned fewer tasks than asked" });
      return { launched: tasks.length, failures: failures.slice(0, n - tasks.length) };
    }),
  );
  const wave: Wave = { launched: 0, failures: [] };
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason;
    wave.launched += s.value.launched;
    wave.failures.push(...s.value.failures);
  }
  return wave;
}

/**
 * Launches `count` tasks in waves of RunTask calls of at most 10, each call with its own
 * clientToken (an AWS retry of the same call reuses it, so a retry never launches twice). Every
 * call of a wave is sent before any backoff. The wave's `failures[]`: capacity/placement → the
 * refused tasks are asked for again after backoff and jitter; Spot capacity → on-demand Fargate
 * at once when allowed; anything else → LaunchError with AWS's reasons. With
 * `capacityTimeoutMs`, refusals are retried until that long after the launch began (instances
 * arrive in batches), else `launchRetries` times. Resolves with the launched tasks; when capacity
 * never came for some, `shortfall` says how many and why.
 */
export async function launchTasks(
  ctx: AwsContext,
  base: LaunchBase,
  count: number,
  launch: Launch,
  retry: { launchRetries: number; minBackoffMs: number; maxBackoffMs: number; capacityTimeoutMs?: number },
  hooks: LaunchHooks,
): Promise<{
  launched: TaskSnapshot[];
  shortfall: { count: number; failures: LaunchFailureReason[] } | undefined;
}> {
  let capacity = primaryCapacity(launch);
  const fallback = launch.type === "FARGATE_SPOT" && launch.fallbackToOnDemand;
  const launched: TaskSnapshot[] = [];
  const tracking: LaunchHooks = {
    ...hooks,
    onLaunched: (snapshot) => {
      launched.push(snapshot);
      hooks.onLaunched(snapshot);
    },
  };
  let remaining = count;
  let attempts = 0;
  let lastFailures: LaunchFailureReason[] = [];
  const startedAt = Date.now();
  const timeout = retry.capacityTimeoutMs;
  try {
    await pRetry(
      async () => {
        attempts += 1;
        while (remaining > 0) {
          const tried = remaining;
          const wave = await sendWave(ctx, base, tried, capacity, tracking);
          remaining -= wave.launched;
          const failures = wave.failures;
          if (failures.length === 0) continue;
          lastFailures = failures;
          const kinds = failures.map((f) => classifyPlacementFailure(f.reason, isSpot(capacity)));
          const reasons = failures.map((f) => f.reason);
          if (kinds.includes("configuration")) {
            hooks.onLaunchFailed({
              tried,
              count: remaining,
              reasons,
              kind: "configuration",
              willRetry: false,
            });
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
              count: remaining,
              reason: reasons[0] ?? "",
            });
            capacity = { launchType: "FARGATE" };
            continue;
          }
          throw new CapacityShortfall(tried, failures);
        }
      },
      {
        retries: timeout === undefined ? retry.launchRetries : Number.POSITIVE_INFINITY,
        maxRetryTime: timeout ?? Number.POSITIVE_INFINITY,
        minTimeout: retry.minBackoffMs,
        maxTimeout: retry.maxBackoffMs,
        factor: 2,
        randomize: true,
        signal: ctx.signal,
        shouldRetry: ({ error }) => error instanceof CapacityShortfall,
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (error instanceof CapacityShortfall) {
            hooks.onLaunchFailed({
              tried: error.tried,
              count: error.failures.length,
              reasons: error.failures.map((f) => f.reason),
              kind: isSpot(capacity) ? "spot-capacity" : "capacity",
              willRetry: retriesLeft > 0 && (timeout === undefined || Date.now() - startedAt < timeout),
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
