import { z } from "zod";

/** How the orchestrator talks to its workers. */
export const transportOptionsSchema = z.strictObject({
  /**
   * Talk plain HTTP to the workers instead of TLS pinned to the run's certificate (and tell them so
   * with `FANOUT_INSECURE_PLAIN_HTTP=1`). Anyone on the path then reads the bearer token and the
   * media, and can answer in the worker's name: only for a network you trust end to end, or for a
   * worker image that cannot serve TLS.
   * @default false
   */
  insecurePlainHttp: z.boolean().default(false),
  /**
   * The slowest transfer (upload or download) an attempt tolerates, in bytes per second, measured
   * over `slowTransferMs`. Slower is a failed attempt, retried on another task; 0 turns the check off.
   * @default 16384
   */
  minBytesPerSecond: z.number().min(0).default(16_384),
  /**
   * How long a transfer may stay below `minBytesPerSecond` before it counts as failed, in ms.
   * @default 30000
   */
  slowTransferMs: z.number().int().min(100).max(3_600_000).default(30_000),
});

/** How the orchestrator talks to its workers, as a user writes it (every field optional). */
export type TransportOptions = z.input<typeof transportOptionsSchema>;
/** Transport options with their defaults applied. */
export type ResolvedTransportOptions = z.output<typeof transportOptionsSchema>;
