import { expectedGot, WORKER_ENV } from "@ecs-fanout/protocol";
import { z } from "zod";
import { int, nonEmptyString } from "./common.js";

/** Environment names the run sets itself on every worker (and the bearer token, which it never sends). */
export const RESERVED_ENVIRONMENT: readonly string[] = ["FANOUT_TOKEN", ...Object.values(WORKER_ENV)];

const environmentSchema = z.record(nonEmptyString(), z.string()).superRefine((env, ctx) => {
  for (const name of Object.keys(env))
    if (RESERVED_ENVIRONMENT.includes(name))
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: expectedGot(`a name other than ${RESERVED_ENVIRONMENT.join(", ")} (set by the run)`, name),
      });
});

/** Task-level overrides applied to every launched task (RunTask wants cpu and memory as strings). */
export const overridesSchema = z.strictObject({
  /** Task CPU units, e.g. 2048. @default the task definition's */
  cpu: int(1).transform(String).optional(),
  /** Task memory in MiB, e.g. 4096. @default the task definition's */
  memory: int(1).transform(String).optional(),
  /** GPUs for the worker container (EC2 only). @default the task definition's */
  gpu: int(0, 16).optional(),
  /** Extra environment for the worker container, `{ NAME: "value" }`. FANOUT_RUN_ID, FANOUT_TOKEN_SHA256 and the FANOUT_TLS_* variables are set by the run. @default {} */
  environment: environmentSchema.optional(),
});

/** Task overrides, as given. */
export type TaskOverrides = z.input<typeof overridesSchema>;
/** Task overrides in RunTask's form. */
export type ResolvedOverrides = z.output<typeof overridesSchema>;
