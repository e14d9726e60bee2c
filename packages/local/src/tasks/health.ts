import { spawn } from "node:child_process";
import type { HealthCheck } from "@aws-sdk/client-ecs";
import type { Wire } from "../protocols/wire.js";

export type HealthStatus = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

/** A container `healthCheck` with ECS's defaults applied (seconds). */
export interface HealthSettings {
  command: string[];
  interval: number;
  timeout: number;
  retries: number;
  startPeriod: number;
}

/** ECS's defaults: 30 s interval, 5 s timeout, 3 retries, no start period. */
export function healthSettings(check: Wire<HealthCheck>): HealthSettings {
  return {
    command: check.command ?? [],
    interval: check.interval ?? 30,
    timeout: check.timeout ?? 5,
    retries: check.retries ?? 3,
    startPeriod: check.startPeriod ?? 0,
  };
}

/** The RegisterTaskDefinition limits of a health check, worded as a sentence; undefined when valid. */
export function healthCheckProblem(check: Wire<HealthCheck>, container: string): string | undefined {
  const [kind, ...rest] = check.command ?? [];
  if ((kind !== "CMD" && kind !== "CMD-SHELL") || rest.length === 0 || rest[0] === "")
    return `Invalid health check command for container ${container}: the first item must be CMD or CMD-SHELL, followed by the command.`;
  const ranges: [keyof HealthCheck, number, number][] = [
    ["interval", 5, 300],
    ["timeout", 2, 60],
    ["retries", 1, 10],
    ["startPeriod", 0, 300],
  ];
  for (const [key, min, max] of ranges) {
    const v = check[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max))
      return `Invalid health check ${key} for container ${container}: must be ${min}-${max}, got ${JSON.stringify(v)}.`;
  }
  return undefined;
}

export interface HealthRun {
  settings: HealthSettings;
  env: Record<string, string>;
  cwd: string | undefined;
  /** Multiplies every interval, timeout and start period (tests run them in milliseconds). */
  scale: number;
  /**
   * Where the check runs: by default a host process with `env` and `cwd`; the container runtime
   * wraps it in `runc exec` so it runs inside the container, with the container's environment.
   */
  wrap?: (file: string, args: string[]) => [string, string[]];
  onStatus(status: HealthStatus): void;
}

/** Runs one check: true when the command exits 0 within the timeout. */
function runCheck(run: HealthRun, timeoutMs: number): Promise<boolean> {
  const [kind, ...rest] = run.settings.command;
  const command: [string, string[]] =
    kind === "CMD-SHELL" ? ["/bin/sh", ["-c", rest.join(" ")]] : [rest[0] ?? "", rest.slice(1)];
  const [file, args] = run.wrap ? run.wrap(...command) : command;
  return new Promise((resolve) => {
    // Its own process group, so a timeout ends whatever the shell started too.
    const child = spawn(file, args as string[], {
      env: run.env,
      cwd: run.cwd,
      stdio: "ignore",
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      resolve(false);
    }, timeoutMs);
    child.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/**
 * Docker's health-check loop, which ECS reads: a check every `interval`, each bounded by
 * `timeout`; HEALTHY on a success; UNHEALTHY after `retries` failures in a row, where failures
 * inside `startPeriod` do not count (a success there still makes the container HEALTHY).
 */
export function startHealthCheck(run: HealthRun): { stop(): void } {
  const { settings, scale } = run;
  const started = Date.now();
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(tick, settings.interval * 1000 * scale);
    timer.unref();
  };
  const tick = () => {
    void runCheck(run, settings.timeout * 1000 * scale).then((ok) => {
      if (stopped) return;
      if (ok) {
        failures = 0;
        run.onStatus("HEALTHY");
      } else if (Date.now() - started >= settings.startPeriod * 1000 * scale) {
        failures++;
        if (failures >= settings.retries) run.onStatus("UNHEALTHY");
      }
      schedule();
    });
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * The task's health from its essential containers that have a check: UNHEALTHY if any is,
 * HEALTHY once all are, else UNKNOWN (also when none has a check).
 */
export function taskHealth(
  containers: { essential: boolean; health?: HealthStatus; checked: boolean }[],
): HealthStatus {
  const checked = containers.filter((c) => c.essential && c.checked);
  if (checked.length === 0) return "UNKNOWN";
  if (checked.some((c) => c.health === "UNHEALTHY")) return "UNHEALTHY";
  return checked.every((c) => c.health === "HEALTHY") ? "HEALTHY" : "UNKNOWN";
}
