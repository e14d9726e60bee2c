import { checkSchema } from "@ecs-fanout/protocol";
import type { z } from "zod";
import { ValidationError } from "../errors.js";

/**
 * Parses `input` with an entry point's schema: the normalized options (defaults applied), or a
 * ValidationError listing every problem at once. Called first thing, before any AWS call.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const checked = checkSchema(schema, input);
  if (!checked.ok) throw new ValidationError(what, checked.problems);
  return checked.value;
}
