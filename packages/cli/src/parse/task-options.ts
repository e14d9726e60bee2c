import { z } from "zod";
import { DEFAULT_CLUSTER, DEFAULT_STARTED_BY } from "../defaults.js";
import type { CliIo } from "../io.js";
import { checkFlags, durationFlag, nameFlag, switchFlag, whenParsed } from "./flags.js";
import { chooseTarget, type TargetChoice } from "./run-options.js";

const startedBy = z
  .string()
  .regex(/^[A-Za-z0-9_/-]{1,128}$/)
  .describe('1–128 letters, digits, "-", "_" or "/" (as ECS allows)');

/** `ls`'s options as commander hands them over. */
export const lsFlags = z.strictObject({
  /** @default "ecs-fanout" */
  cluster: nameFlag.default(DEFAULT_CLUSTER),
  runId: nameFlag.optional(),
  /** @default "ecs-fanout" */
  startedBy: startedBy.default(DEFAULT_STARTED_BY),
  local: switchFlag,
  json: switchFlag,
});

/** `cleanup`'s options: `ls`'s, and which tasks to stop and how. */
export const cleanupFlags = lsFlags
  .extend({
    /** Only tasks started more than this long ago, in seconds. */
    olderThan: durationFlag.optional(),
    dryRun: switchFlag,
    yes: switchFlag,
  })
  .superRefine(
    (o, ctx) => {
      if (o.dryRun && o.yes)
        ctx.addIssue({
          code: "custom",
          path: ["yes"],
          message: "expected either --dry-run or --yes, got both",
        });
    },
    whenParsed("dryRun", "yes"),
  );

export type LsOptions = z.output<typeof lsFlags> & { target: TargetChoice };
export type CleanupOptions = z.output<typeof cleanupFlags> & { target: TargetChoice };

export function normalizeLsOptions(raw: Record<string, unknown>, io: CliIo): LsOptions {
  return { ...checkFlags("ls", lsFlags, raw), target: chooseTarget(raw["local"], io) };
}

export function normalizeCleanupOptions(raw: Record<string, unknown>, io: CliIo): CleanupOptions {
  return { ...checkFlags("cleanup", cleanupFlags, raw), target: chooseTarget(raw["local"], io) };
}
