import os from "node:os";
import path from "node:path";
import { WorkerConfigError } from "./errors.js";
import type { LogSink } from "./log.js";
import { splitCommand } from "./processors/command.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Everything the worker needs; built once from the environment by {@link loadWorkerConfig}. */
export interface WorkerConfig {
  /** @default "0.0.0.0" */
  host: string;
  /** 0 picks a free port. @default 8080 */
  port: number;
  /** Bearer token; null with `tokenSha256` or `insecureNoAuth`. */
  token: string | null;
  /** Lowercase hex SHA-256 of the bearer token (`FANOUT_TOKEN_SHA256`, what the orchestrator sends). @default null */
  tokenSha256?: string | null;
  /** Certificate and PKCS#8 key (PEM) to serve HTTPS with (`FANOUT_TLS_CERT`/`FANOUT_TLS_KEY`, base64). @default null */
  tls?: { cert: string; key: string } | null;
  /** @default false */
  insecureNoAuth: boolean;
  /** Run id the orchestrator expects to see in /v1/info. @default null */
  runId: string | null;
  /** Jobs processed at the same time. @default 1 */
  slots: number;
  /** Where inputs and outputs live. @default os.tmpdir()/ecs-fanout-worker-<pid> */
  workDir: string;
  /** @default 10 GiB */
  maxInputBytes: number;
  /** Free disk the worker keeps in reserve; uploads that would eat into it get 507. @default 256 MiB */
  minFreeBytes: number;
  /** Exit after this long without an authenticated request; 0 disables. @default 300 */
  idleTimeoutSeconds: number;
  /** Exit after this long in any case; 0 disables. @default 21600 */
  maxLifetimeSeconds: number;
  /** SIGTERM drain deadline (the container's stopTimeout). @default 30 */
  stopTimeoutSeconds: number;
  /** @default false */
  enableSynthetic: boolean;
  /** Real-ESRGAN video command (argv); null disables the processor. @default null */
  realesrganCommand: string[] | null;
  /** SeedVR2 command (argv); null disables the processor. @default null */
  seedvr2Command: string[] | null;
  /** @default "/models" */
  modelDir: string;
  /** ECS task metadata endpoint v4; null outside ECS. @default null */
  metadataUri: string | null;
  /** Where log events go. @default JSON lines on stdout */
  log?: LogSink;
}

/** Environment variables as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/**
 * Reads `WorkerConfig` from environment variables (HOST, PORT, FANOUT_TOKEN, FANOUT_SLOTS, … as
 * listed in the README), reporting every problem at once.
 *
 * @throws {@link WorkerConfigError} listing every invalid or missing variable.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const flag = (name: string): boolean => {
    const value = text(name);
    if (value === null) return false;
    if (["1", "true", "yes"].includes(value.toLowerCase())) return true;
    if (["0", "false", "no"].includes(value.toLowerCase())) return false;
    problems.push(`${name}: expected 1/0/true/false, got ${JSON.stringify(value)}`);
    return false;
  };
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = text(name);
    if (value === null) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
      problems.push(`${name}: expected an integer ${range}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return parsed;
  };
  const command = (name: string): string[] | null => {
    const value = text(name);
    if (value === null) return null;
    try {
      return splitCommand(value);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      return null;
    }
  };

  const insecureNoAuth = flag("FANOUT_INSECURE_NO_AUTH");
  const token = text("FANOUT_TOKEN");
  const tokenSha256 = text("FANOUT_TOKEN_SHA256");
  if (tokenSha256 !== null && !/^[0-9a-f]{64}$/.test(tokenSha256))
    problems.push("FANOUT_TOKEN_SHA256: expected 64 lowercase hex digits, got something else");
  if (token === null && tokenSha256 === null && !insecureNoAuth) {
    problems.push(
      "FANOUT_TOKEN_SHA256: expected the SHA-256 of the bearer token (or FANOUT_INSECURE_NO_AUTH=1 for local use), got nothing",
    );
  }
  const pemOf = (name: string, label: string): string | null => {
    const value = text(name);
    if (value === null) return null;
    const pem = Buffer.from(value, "base64").toString("utf8");
    if (pem.includes(`-----BEGIN ${label}-----`)) return pem;
    problems.push(`${name}: expected base64 of a PEM ${label}, got something else`);
    return null;
  };
  const cert = pemOf("FANOUT_TLS_CERT", "CERTIFICATE");
  const key = pemOf("FANOUT_TLS_KEY", "PRIVATE KEY");
  if ((cert === null) !== (key === null) && problems.length === 0)
    problems.push("FANOUT_TLS_CERT/FANOUT_TLS_KEY: expected both or neither, got one");
  if (flag("FANOUT_INSECURE_PLAIN_HTTP") && cert !== null)
    problems.push("FANOUT_INSECURE_PLAIN_HTTP: expected it unset when FANOUT_TLS_CERT is given, got 1");

  const config: WorkerConfig = {
    host: text("HOST") ?? "0.0.0.0",
    port: integer("PORT", 8080, 0, 65535),
    token,
    tokenSha256,
    tls: cert !== null && key !== null ? { cert, key } : null,
    insecureNoAuth,
    runId: text("FANOUT_RUN_ID"),
    slots: integer("FANOUT_SLOTS", 1, 1, 64),
    workDir: path.resolve(
      text("FANOUT_WORK_DIR") ?? path.join(os.tmpdir(), `ecs-fanout-worker-${process.pid}`),
    ),
    maxInputBytes: integer("FANOUT_MAX_INPUT_BYTES", 10 * GiB, 1),
    minFreeBytes: integer("FANOUT_MIN_FREE_BYTES", 256 * MiB, 0),
    idleTimeoutSeconds: integer("FANOUT_IDLE_TIMEOUT_SECONDS", 300, 0),
    maxLifetimeSeconds: integer("FANOUT_MAX_LIFETIME_SECONDS", 21_600, 0),
    stopTimeoutSeconds: integer("FANOUT_STOP_TIMEOUT_SECONDS", 30, 1),
    enableSynthetic: flag("FANOUT_ENABLE_SYNTHETIC"),
    realesrganCommand: command("FANOUT_REALESRGAN_BIN"),
    seedvr2Command: command("FANOUT_SEEDVR2_CMD"),
    modelDir: text("FANOUT_MODEL_DIR") ?? "/models",
    metadataUri: text("ECS_CONTAINER_METADATA_URI_V4"),
  };
  if (problems.length > 0) throw new WorkerConfigError(problems);
  return config;
}
