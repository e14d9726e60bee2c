import { checkSchema, type Problem } from "@ecs-fanout/protocol";
import { z } from "zod";
import { VideoOptionsError } from "./errors.js";
import type { FfmpegProgress } from "./progress.js";

/**
 * Schema pieces every helper's options share, and the one place schema problems become a
 * {@link VideoOptionsError}.
 */

/** A path to a file; absolute or relative to the working directory. */
export const filePath = z.string().min(1).describe("a file path");

/** Aborting kills the running ffmpeg/ffprobe and rejects with `signal.reason`. */
export const abortSignal = z
  .custom<AbortSignal>((value) => value instanceof AbortSignal)
  .describe("an AbortSignal");

/** A callback; only its being a function is checked. */
export function callback<F extends (...args: never[]) => unknown>() {
  return z.custom<F>((value) => typeof value === "function").describe("a function");
}

/** Called with ffmpeg's progress reports (about twice a second), `fraction` included. */
export const progressListener = callback<(progress: FfmpegProgress) => void>();

/** libx264 presets, fastest first. */
export const X264_PRESETS = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow",
] as const;
/** One of {@link X264_PRESETS}: libx264 speed against size at the same quality. */
export type X264Preset = (typeof X264_PRESETS)[number];

/** A positional argument or an options object, checked under its own name. */
export interface Checked<S extends z.ZodType> {
  /** The argument's name in problems; `""` puts its keys at the top level (an options object). */
  name: string;
  schema: S;
  value: unknown;
}

/**
 * Parses each argument with its schema and throws one {@link VideoOptionsError} listing every
 * problem of every argument, each as `path: expected … got …`.
 */
export function checkArgs<const T extends readonly Checked<z.ZodType>[]>(
  operation: string,
  args: T,
): { [K in keyof T]: T[K] extends Checked<infer S> ? z.output<S> : never } {
  const problems: string[] = [];
  const values = args.map(({ name, schema, value }) => {
    const checked = checkSchema(schema, value);
    if (checked.ok) return checked.value;
    for (const problem of checked.problems) problems.push(render(name, problem));
    return undefined;
  });
  if (problems.length > 0) throw new VideoOptionsError(operation, problems);
  return values as { [K in keyof T]: T[K] extends Checked<infer S> ? z.output<S> : never };
}

/** Checks a single options object; its problems are named by their keys. */
export function checkOptions<S extends z.ZodType>(operation: string, schema: S, value: unknown): z.output<S> {
  const [parsed] = checkArgs(operation, [{ name: "", schema, value }] as const);
  return parsed as z.output<S>;
}

function render(name: string, problem: Problem): string {
  const where = name === "" ? problem.path : problem.path === "" ? name : joinPath(name, problem.path);
  return where === "" ? problem.message : `${where}: ${problem.message}`;
}

function joinPath(name: string, path: string): string {
  return path.startsWith("[") ? `${name}${path}` : `${name}.${path}`;
}
