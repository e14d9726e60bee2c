import { extname, resolve } from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { evenWhenInvalid, isHttpUrl, isRecord, nonEmptyString, satisfying } from "./common.js";

const SEGMENT_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Where a segment's input comes from: a local file (streamed from disk) or an http(s) URL (streamed through). */
export const segmentInputSchema = z
  .union([z.strictObject({ path: nonEmptyString() }), z.strictObject({ url: z.string() })])
  .describe("{ path } or { url }");

/** One unit of work. */
export const segmentSchema = z
  .strictObject({
    /** Unique id; used in job ids and default output names. Letters, digits, `.`, `_`, `-`; at most 100 characters. */
    id: satisfying(
      z.string(),
      (id) => SEGMENT_ID.test(id) && id !== "." && id !== "..",
      "1 to 100 letters, digits, '.', '_' or '-'",
    ),
    input: segmentInputSchema,
    /** Processor options for this segment, merged over the run's `params`. @default {} */
    params: z.record(z.string(), z.unknown()).optional(),
    /**
     * File name of the output inside `outputDir`.
     * @default `${id}${extension of the input}` (`.out` when the input has none)
     */
    outputName: satisfying(
      z.string(),
      (n) => n.length > 0 && !/[/\\]/.test(n) && n !== "." && n !== "..",
      "a plain file name",
    ).optional(),
    /**
     * How much work this segment is, relative to the others (any unit: seconds, frames, bytes).
     * With `order: "largest-first"` the heaviest segments are handed out first, so a long one does
     * not start last and hold the run up. Only the ratios matter.
     * @default the input file's size in bytes for `path` inputs; for `url` inputs, the mean of the
     * other segments' weights (so they sort neither first nor last)
     */
    weight: z.number().min(0).optional(),
  })
  .superRefine((s, ctx) => {
    if (isRecord(s) && isRecord(s.input) && "url" in s.input && !isHttpUrl(s.input.url))
      ctx.addIssue({
        code: "custom",
        path: ["input", "url"],
        message: expectedGot("an http(s) URL", s.input.url),
      });
  }, evenWhenInvalid);

/** One unit of work, as given. */
export type Segment = z.input<typeof segmentSchema>;
/** Where a segment's input comes from. */
export type SegmentInput = z.output<typeof segmentInputSchema>;

/** A segment with its output path decided. */
export interface PlannedSegment {
  readonly id: string;
  readonly input: SegmentInput;
  readonly params: Readonly<Record<string, unknown>>;
  readonly outputName: string;
  readonly outputPath: string;
  /** The caller's size hint, if any (see `resolveWeights` for the default). */
  readonly weight: number | undefined;
}

/** Default output name: the id plus the input's extension. */
export function defaultOutputName(id: string, input: SegmentInput): string {
  const source = "path" in input ? input.path : safeUrlPath(input.url);
  const ext = extname(source);
  return `${id}${ext === "" ? ".out" : ext}`;
}

function safeUrlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

type ParsedSegment = z.output<typeof segmentSchema>;

/** Every segment with its absolute input path, merged params and output path. */
export function planSegments(
  segments: readonly ParsedSegment[],
  outputDir: string,
  params: Readonly<Record<string, unknown>>,
): PlannedSegment[] {
  return segments.map((s) => {
    const outputName = s.outputName ?? defaultOutputName(s.id, s.input);
    return {
      id: s.id,
      input: "path" in s.input ? { path: resolve(s.input.path) } : { url: s.input.url },
      params: { ...params, ...s.params },
      outputName,
      outputPath: resolve(outputDir, outputName),
      weight: s.weight,
    };
  });
}

/**
 * Rules across segments (refinement of the run's options; the value may be partly invalid):
 * ids and output names unique, and no output path that is an input path.
 */
export function checkSegments(segments: unknown, outputDir: unknown, ctx: z.core.$RefinementCtx): void {
  if (!Array.isArray(segments)) return;
  const ids = new Set<string>();
  const names = new Set<string>();
  const inputs = new Set<string>();
  for (const s of segments as unknown[])
    if (isRecord(s) && isRecord(s.input) && typeof s.input.path === "string")
      inputs.add(resolve(s.input.path));
  for (const [i, s] of (segments as unknown[]).entries()) {
    if (!isRecord(s) || typeof s.id !== "string") continue;
    if (ids.has(s.id))
      ctx.addIssue({
        code: "custom",
        path: ["segments", i, "id"],
        message: expectedGot("an id not used by another segment", s.id),
      });
    ids.add(s.id);
    if (typeof s.outputName === "string") {
      if (names.has(s.outputName))
        ctx.addIssue({
          code: "custom",
          path: ["segments", i, "outputName"],
          message: expectedGot("an output name not used by another segment", s.outputName),
        });
      names.add(s.outputName);
    }
    if (typeof outputDir !== "string" || outputDir.length === 0 || !isRecord(s.input)) continue;
    if (typeof s.input.path !== "string" && typeof s.input.url !== "string") continue;
    const input = s.input as SegmentInput;
    const name = typeof s.outputName === "string" ? s.outputName : defaultOutputName(s.id, input);
    const output = resolve(outputDir, name);
    if (inputs.has(output))
      ctx.addIssue({
        code: "custom",
        path: ["segments", i],
        message: expectedGot(
          "an output path that is not an input path (set outputDir or outputName)",
          output,
        ),
      });
  }
}
