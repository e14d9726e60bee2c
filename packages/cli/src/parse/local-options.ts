import { z } from "zod";
import { DEFAULT_CLUSTER } from "../defaults.js";
import { checkFlags, integerFlag } from "./flags.js";

/** `local`'s options as commander hands them over. */
export const localFlags = z.strictObject({
  /** Port to listen on; 0 picks any free port. @default 0 */
  port: integerFlag(0, 65_535).default(0),
  /** Cluster to create, with its worker task definitions. @default "ecs-fanout" */
  cluster: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,255}$/)
    .describe('a cluster name: letters, digits, "-" or "_" (at most 255)')
    .default(DEFAULT_CLUSTER),
});

export type LocalOptions = z.output<typeof localFlags>;

export function normalizeLocalOptions(raw: Record<string, unknown>): LocalOptions {
  return checkFlags("local", localFlags, raw);
}
