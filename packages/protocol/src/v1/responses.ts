import { z } from "zod";

/** Body of `GET /v1/health`: "draining" once the worker takes no new jobs. */
export const healthResponseSchema = z.strictObject({ status: z.enum(["ok", "draining"]) });
/** Body of `GET /v1/health`. */
export type HealthResponse = z.output<typeof healthResponseSchema>;

const count = z.number().int().min(0);

/** Body of `GET /v1/info`: who this worker is and how loaded it is. */
export const infoResponseSchema = z.strictObject({
  worker: z.strictObject({ name: z.string().max(256), version: z.string().max(128) }),
  /** The run id the orchestrator set (`FANOUT_RUN_ID`); null outside ECS. */
  runId: z.string().max(128).nullable(),
  /** The task ARN from the task metadata endpoint; null until known, or outside ECS. */
  taskArn: z.string().max(2048).nullable(),
  processors: z.array(z.string().max(128)).max(256),
  slots: z.number().int().min(1),
  busy: count,
  draining: z.boolean(),
  uptimeSeconds: z.number().min(0),
});
/** Body of `GET /v1/info`. */
export type InfoResponse = z.output<typeof infoResponseSchema>;

/** Body of every 4xx/5xx answer. */
export const errorResponseSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1).max(128),
    message: z.string().max(8192),
    problems: z.array(z.string().max(8192)).max(1000).optional(),
  }),
});
/** Body of every 4xx/5xx answer. */
export type ErrorResponse = z.output<typeof errorResponseSchema>;

/** Body of `POST /v1/drain`. */
export const drainResponseSchema = z.strictObject({ draining: z.literal(true), inFlight: count });
/** Body of `POST /v1/drain`. */
export type DrainResponse = z.output<typeof drainResponseSchema>;

/** Body of `POST /v1/shutdown` (`202`). */
export const shutdownResponseSchema = z.strictObject({
  shuttingDown: z.literal(true),
  force: z.boolean(),
  inFlight: count,
});
/** Body of `POST /v1/shutdown`. */
export type ShutdownResponse = z.output<typeof shutdownResponseSchema>;
