import os from "node:os";
import path from "node:path";
import { checkSchema, expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { WorkerConfigError } from "./errors.js";
import type { LogSink } from "./log.js";
import { splitCommand } from "./processors/command.js";
import { certificateField, privateKeyField, tokenSha256Field, verifyKeyPair } from "./tls-material.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** An integer variable: digits only, within bounds; the problem names the bounds. */
function integer(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const phrase = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,16}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .describe(phrase);
}

/** `1` turns it on, `0` (or unset) leaves it off: one way to say it. */
const flag = () =>
  z
    .enum(["0", "1"])
    .default("0")
    .transform((v) => v === "1");

const text = () => z.string().min(1).max(4096);

const command = () =>
  text().transform((line, ctx) => {
    try {
      return splitCommand(line);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

/**
 * The worker's environment, one variable per key. Only `HOST`, `PORT`,
 * `ECS_CONTAINER_METADATA_URI_V4` and `FANOUT_*` variables are read; an unknown `FANOUT_*`
 * variable is a problem (a typo must not pass silently). An empty value counts as unset.
 */
export const workerEnvSchema = z
  .strictObject({
    /** Address to bind. @default "0.0.0.0" */
    HOST: text().default("0.0.0.0"),
    /** Port to bind; 0 picks a free one. @default 8080 */
    PORT: integer(0, 65_535).default(8080),
    /** Lowercase hex SHA-256 of the run's bearer token; required unless FANOUT_INSECURE_NO_AUTH=1. */
    FANOUT_TOKEN_SHA256: tokenSha256Field.optional(),
    /** Refused: the worker never sees the token itself, only its SHA-256. */
    FANOUT_TOKEN: z
      .string()
      .refine(() => false, {
        message:
          "expected no FANOUT_TOKEN (pass the token's SHA-256 as FANOUT_TOKEN_SHA256), got the token itself",
      })
      .optional(),
    /** `1` serves every route without a token (local experiments only). @default "0" */
    FANOUT_INSECURE_NO_AUTH: flag(),
    /** Base64 of the PEM certificate the worker presents; required unless FANOUT_INSECURE_PLAIN_HTTP=1. */
    FANOUT_TLS_CERT: certificateField.optional(),
    /** Base64 of the PEM (PKCS#8) private key of FANOUT_TLS_CERT. */
    FANOUT_TLS_KEY: privateKeyField.optional(),
    /** `1` serves plain HTTP without TLS (local experiments only). @default "0" */
    FANOUT_INSECURE_PLAIN_HTTP: flag(),
    /** Run id the orchestrator expects to see in /v1/info. @default null */
    FANOUT_RUN_ID: text().optional(),
    /** Jobs processed at the same time. @default 1 */
    FANOUT_SLOTS: integer(1, 64).default(1),
    /** Where inputs and outputs live. @default os.tmpdir()/ecs-fanout-worker-<pid> */
    FANOUT_WORK_DIR: text().default(() => path.join(os.tmpdir(), `ecs-fanout-worker-${process.pid}`)),
    /** Larger uploads get 413. @default 10 GiB */
    FANOUT_MAX_INPUT_BYTES: integer(1).default(10 * GiB),
    /** Free disk kept in reserve; uploads that would eat into it get 507. @default 256 MiB */
    FANOUT_MIN_FREE_BYTES: integer(0).default(256 * MiB),
    /** Exit after this long without progress (a completed authenticated request, bytes moved); 0 disables. @default 300 */
    FANOUT_IDLE_TIMEOUT_SECONDS: integer(0).default(300),
    /** Exit after this long in any case; 0 disables. @default 21600 */
    FANOUT_MAX_LIFETIME_SECONDS: integer(0).default(21_600),
    /** SIGTERM drain deadline (the container's stopTimeout). @default 30 */
    FANOUT_STOP_TIMEOUT_SECONDS: integer(1).default(30),
    /** A request's head (and the TLS handshake) must arrive within this. @default 10 */
    FANOUT_HEADERS_TIMEOUT_SECONDS: integer(1, 600).default(10),
    /** A whole request, upload body included, must arrive within this. @default 3600 */
    FANOUT_REQUEST_TIMEOUT_SECONDS: integer(1).default(3600),
    /** An upload that sends no byte for this long is cut. @default 30 */
    FANOUT_BODY_IDLE_TIMEOUT_SECONDS: integer(1, 3600).default(30),
    /** An upload slower than this over a whole rate window is cut; 0 disables. @default 65536 */
    FANOUT_MIN_UPLOAD_BYTES_PER_SECOND: integer(0).default(65_536),
    /** The window over which FANOUT_MIN_UPLOAD_BYTES_PER_SECOND is averaged. @default 30 */
    FANOUT_UPLOAD_RATE_WINDOW_SECONDS: integer(1, 3600).default(30),
    /** Open connections at most; more are closed at once. @default 64 */
    FANOUT_MAX_CONNECTIONS: integer(1, 100_000).default(64),
    /** Uploads received at the same time; more get 429. @default 8 */
    FANOUT_MAX_CONCURRENT_UPLOADS: integer(1, 1024).default(8),
    /** Largest input frame (width × height) a job accepts. @default 8294400 (3840×2160) */
    FANOUT_MAX_PIXELS_PER_FRAME: integer(1).default(3840 * 2160),
    /** Longest input a job accepts, in seconds. @default 3600 */
    FANOUT_MAX_DURATION_SECONDS: integer(1).default(3600),
    /** Most input frames a job accepts. @default 216000 (one hour at 60 fps) */
    FANOUT_MAX_FRAMES: integer(1).default(216_000),
    /** A job running longer than this fails with JOB_TIMEOUT. @default 10800 */
    FANOUT_MAX_JOB_SECONDS: integer(1).default(10_800),
    /** `1` enables the synthetic processor (tests and benchmarks). @default "0" */
    FANOUT_ENABLE_SYNTHETIC: flag(),
    /** Real-ESRGAN video command (argv, split like shell words, never run by a shell). @default none */
    FANOUT_REALESRGAN_BIN: command().optional(),
    /** SeedVR2 command, e.g. `python3 /opt/SeedVR2/inference_cli.py`. @default none */
    FANOUT_SEEDVR2_CMD: command().optional(),
    /** Passed to SeedVR2 as --model_dir. @default "/models" */
    FANOUT_MODEL_DIR: text().default("/models"),
    /** ECS task metadata endpoint v4 (set by ECS). @default none */
    ECS_CONTAINER_METADATA_URI_V4: z.url().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.FANOUT_TOKEN_SHA256 === undefined && !env.FANOUT_INSECURE_NO_AUTH) {
      ctx.addIssue({
        code: "custom",
        path: ["FANOUT_TOKEN_SHA256"],
        message: expectedGot(
          "the bearer token's SHA-256 in lowercase hex (or FANOUT_INSECURE_NO_AUTH=1 for local use)",
          undefined,
        ),
      });
    }
    const cert = env.FANOUT_TLS_CERT;
    const key = env.FANOUT_TLS_KEY;
    if (env.FANOUT_INSECURE_PLAIN_HTTP && (cert || key)) {
      ctx.addIssue({
        code: "custom",
        path: ["FANOUT_INSECURE_PLAIN_HTTP"],
        message: expectedGot("0 when FANOUT_TLS_CERT or FANOUT_TLS_KEY is set", "1"),
      });
    } else if (!env.FANOUT_INSECURE_PLAIN_HTTP) {
      for (const [name, value] of [
        ["FANOUT_TLS_CERT", cert],
        ["FANOUT_TLS_KEY", key],
      ] as const) {
        if (value !== undefined) continue;
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: expectedGot(
            `base64 of a PEM ${name === "FANOUT_TLS_CERT" ? "certificate" : "PKCS#8 private key"} (or FANOUT_INSECURE_PLAIN_HTTP=1 for local use)`,
            undefined,
          ),
        });
      }
    }
    if (cert && key && !verifyKeyPair(cert, key)) {
      ctx.addIssue({
        code: "custom",
        path: ["FANOUT_TLS_KEY"],
        message: "expected the private key of FANOUT_TLS_CERT, got another key",
      });
    }
  })
  .transform((env) => ({
    host: env.HOST,
    port: env.PORT,
    /** null only with insecureNoAuth. */
    tokenSha256: env.FANOUT_INSECURE_NO_AUTH ? null : (env.FANOUT_TOKEN_SHA256 ?? null),
    insecureNoAuth: env.FANOUT_INSECURE_NO_AUTH,
    /** PEM texts; null only with FANOUT_INSECURE_PLAIN_HTTP=1. */
    tls:
      env.FANOUT_TLS_CERT && env.FANOUT_TLS_KEY
        ? { cert: env.FANOUT_TLS_CERT, key: env.FANOUT_TLS_KEY }
        : null,
    runId: env.FANOUT_RUN_ID ?? null,
    slots: env.FANOUT_SLOTS,
    workDir: path.resolve(env.FANOUT_WORK_DIR),
    maxInputBytes: env.FANOUT_MAX_INPUT_BYTES,
    minFreeBytes: env.FANOUT_MIN_FREE_BYTES,
    idleTimeoutSeconds: env.FANOUT_IDLE_TIMEOUT_SECONDS,
    maxLifetimeSeconds: env.FANOUT_MAX_LIFETIME_SECONDS,
    stopTimeoutSeconds: env.FANOUT_STOP_TIMEOUT_SECONDS,
    headersTimeoutSeconds: env.FANOUT_HEADERS_TIMEOUT_SECONDS,
    requestTimeoutSeconds: Math.max(env.FANOUT_REQUEST_TIMEOUT_SECONDS, env.FANOUT_HEADERS_TIMEOUT_SECONDS),
    bodyIdleTimeoutSeconds: env.FANOUT_BODY_IDLE_TIMEOUT_SECONDS,
    minUploadBytesPerSecond: env.FANOUT_MIN_UPLOAD_BYTES_PER_SECOND,
    uploadRateWindowSeconds: env.FANOUT_UPLOAD_RATE_WINDOW_SECONDS,
    maxConnections: env.FANOUT_MAX_CONNECTIONS,
    maxConcurrentUploads: env.FANOUT_MAX_CONCURRENT_UPLOADS,
    maxPixelsPerFrame: env.FANOUT_MAX_PIXELS_PER_FRAME,
    maxDurationSeconds: env.FANOUT_MAX_DURATION_SECONDS,
    maxFrames: env.FANOUT_MAX_FRAMES,
    maxJobSeconds: env.FANOUT_MAX_JOB_SECONDS,
    enableSynthetic: env.FANOUT_ENABLE_SYNTHETIC,
    realesrganCommand: env.FANOUT_REALESRGAN_BIN ?? null,
    seedvr2Command: env.FANOUT_SEEDVR2_CMD ?? null,
    modelDir: env.FANOUT_MODEL_DIR,
    metadataUri: env.ECS_CONTAINER_METADATA_URI_V4 ?? null,
  }));

/** The environment variables as the worker reads them (all strings). */
export type WorkerEnv = z.input<typeof workerEnvSchema>;

/** Everything the worker needs; built once from the environment by {@link loadWorkerConfig}. */
export type WorkerConfig = z.output<typeof workerEnvSchema> & {
  /** Where log events go. @default JSON lines on stdout */
  log?: LogSink;
};

/** Environment variables as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/** The variables the worker reads; everything else in the environment is none of its business. */
export function pickWorkerEnv(env: Env): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const read =
      name.startsWith("FANOUT_") || ["HOST", "PORT", "ECS_CONTAINER_METADATA_URI_V4"].includes(name);
    if (read && value !== undefined && value.trim() !== "") picked[name] = value.trim();
  }
  return picked;
}

/**
 * Reads the worker's configuration from environment variables (see {@link workerEnvSchema}),
 * reporting every problem at once, each named by its variable.
 *
 * @throws {@link WorkerConfigError} listing every invalid, missing or unknown variable.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const checked = checkSchema(workerEnvSchema, pickWorkerEnv(env));
  if (!checked.ok) throw new WorkerConfigError(checked.problems.map((p) => `${p.path}: ${p.message}`));
  return checked.value;
}

/** Variables a child process (ffmpeg, a GPU tool) must never inherit. */
export function isSecretVariable(name: string): boolean {
  return name.startsWith("FANOUT_TOKEN") || name.startsWith("FANOUT_TLS_");
}

/** A copy of `env` without the token hash and the TLS material, for child processes. */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isSecretVariable(name)));
}
