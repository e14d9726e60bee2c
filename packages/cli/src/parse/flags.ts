import { checkSchema, describeSchema, expectedGot, type Problem } from "@ecs-fanout/protocol";
import { z } from "zod";
import { UsageError } from "../errors.js";

/**
 * Building blocks for the commands' option schemas. Commander hands every value over as the
 * string the user typed (or `true` for a flag), so each block accepts that string, says in
 * words what it expects, and turns it into the typed value.
 */

const INTEGER = /^\s*[+-]?\d+\s*$/;
const DECIMAL = /^\s*\+?(\d+(\.\d*)?|\.\d+)\s*$/;
const LIST = /^\s*[^,\s]+(\s*,\s*[^,\s]+)*\s*$/;

/** A string the user typed that must read as a number `target` accepts ("an integer from 1 to 100"). */
function numeric<T extends z.ZodNumber>(pattern: RegExp, target: T) {
  return z.string().regex(pattern).transform(Number).pipe(target).describe(describeSchema(target));
}

/** An integer from `min` to `max`, typed as digits. */
export function integerFlag(min: number, max: number) {
  return numeric(INTEGER, z.number().int().min(min).max(max));
}

/**
 * An option of the API (a worker processor's, the video package's, the run's), typed as digits:
 * the option's own number schema checks the value, so its bounds and their wording are the API's.
 * Not given, it stays undefined and the API applies its own default.
 */
export function apiIntegerFlag(option: z.ZodDefault<z.ZodNumber> | z.ZodNumber) {
  return numeric(INTEGER, option instanceof z.ZodDefault ? option.unwrap() : option).optional();
}

/** {@link apiIntegerFlag} for an option that takes decimals too (milliseconds, seconds). */
export function apiNumberFlag(option: z.ZodDefault<z.ZodNumber> | z.ZodNumber) {
  return numeric(DECIMAL, option instanceof z.ZodDefault ? option.unwrap() : option).optional();
}

/** A decimal number: `gt` excludes its bound (`--cpu` > 0), `min` includes it. */
export function numberFlag(bounds: { gt?: number; min?: number; max?: number }) {
  let target = z.number();
  if (bounds.gt !== undefined) target = target.gt(bounds.gt);
  if (bounds.min !== undefined) target = target.min(bounds.min);
  if (bounds.max !== undefined) target = target.max(bounds.max);
  return numeric(DECIMAL, target);
}

/** A comma-separated list such as `subnet-a,subnet-b`; an empty item is a problem, not dropped. */
export const listFlag = z
  .string()
  .regex(LIST)
  .describe("a comma-separated list such as subnet-a,subnet-b")
  .transform((raw) => raw.split(",").map((item) => item.trim()));

/** A name or id that is not blank. */
export const nameFlag = z.string().trim().min(1);

/** A switch: commander gives `true` when it is present. */
export const switchFlag = z.boolean().default(false);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION_EXPECTED = "a duration such as 90s, 30m, 2h or 1h30m";

/** Whole seconds from `90s`, `30m`, `2h`, `1h30m`, `1d`, `1.5h` or a bare number of seconds. */
export const durationFlag = z.string().transform((raw, ctx) => {
  const text = raw.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join("") !== text) {
    ctx.addIssue({ code: "custom", message: expectedGot(DURATION_EXPECTED, raw) });
    return z.NEVER;
  }
  return Math.round(parts.reduce((sum, m) => sum + Number(m[1]) * UNIT_SECONDS[m[2]!]!, 0));
});

/** A JSON object, e.g. `{"crf":20}`. */
export const jsonObjectFlag = z.string().transform((raw, ctx): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Reported below, with what was given.
  }
  ctx.addIssue({ code: "custom", message: expectedGot(`a JSON object such as '{"crf":20}'`, raw) });
  return z.NEVER;
});

/**
 * A refinement's `when`: run it only once `keys` parsed, so it reads valid values, while the
 * other fields' problems are still reported beside it.
 */
export function whenParsed(...keys: readonly string[]): z.core.$ZodSuperRefineParams {
  return {
    when: (payload) =>
      !payload.issues.some((issue) => {
        const path = issue.path ?? [];
        return path.length === 0 || keys.includes(String(path[0]));
      }),
  };
}

/** `--segment-seconds` for the key `segmentSeconds`; the positional `input` is `<input>`. */
export function flagName(key: string): string {
  if (key === "input") return "<input>";
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A problem's path into the option object, spelled as the flag the user typed. */
function asFlag(problem: Problem): Problem {
  const [, key = "", rest = ""] = /^([A-Za-z_$][\w$]*)(.*)$/.exec(problem.path) ?? [];
  // A flag that was not given has no value to show: say "nothing", as a person would.
  const message = problem.message.replace(/, got undefined$/, ", got nothing");
  return { path: key ? `${flagName(key)}${rest}` : problem.path, message };
}

/** `(default: 4)` for the help text, read off the schema so each default is written once. */
export function defaultHelp(schema: z.ZodType): string {
  const parsed = schema.safeParse(undefined);
  const value = parsed.success ? parsed.data : undefined;
  return typeof value === "string" || typeof value === "number" ? ` (default: ${value})` : "";
}

/**
 * Validates a command's options with its schema and throws a {@link UsageError} listing every
 * problem, each named by its flag, before the command touches anything.
 */
export function checkFlags<S extends z.ZodType>(command: string, schema: S, raw: unknown): z.output<S> {
  const checked = checkSchema(schema, raw);
  if (!checked.ok) throw new UsageError(`${command} options`, checked.problems.map(asFlag));
  return checked.value;
}
