import { extname, resolve } from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { parseS3Uri, type S3Location, underPrefix } from "../s3/uri.js";
import { evenWhenInvalid, isHttpUrl, isRecord, nonEmptyString, satisfying } from "./common.js";
import { s3InputSchema, s3OutputSchema } from "./s3.js";

const SEGMENT_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Where a segment's input comes from: a local file (streamed from disk, or from S3 when the run
 * stages inputs), an http(s) URL (streamed through), or an S3 object the worker fetches itself.
 */
export const segmentInputSchema = z
  .union([z.strictObject({ path: nonEmptyString() }), z.strictObject({ url: z.string() }), s3InputSchema])
  .describe("{ path }, { url } or { s3 }");

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
     * This segment's output object in S3, overriding the run's `outputs` prefix.
     * @default the run's `outputs` prefix plus `outputName`; without `outputs`, none (the output
     * goes to `outputDir` only)
     */
    output: s3OutputSchema.optional(),
    /**
     * File name of the output inside `outputDir`, and after the run's `outputs` prefix in S3.
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

/** A segment with its output destinations decided. */
export interface PlannedSegment {
  readonly id: string;
  readonly input: SegmentInput;
  readonly params: Readonly<Record<string, unknown>>;
  readonly outputName: string;
  /** Final path in `outputDir`; undefined when the run has none (outputs stay in S3). */
  readonly outputPath: string | undefined;
  /** The output's object in S3; undefined when the output goes to `outputDir` only. */
  readonly outputS3?: S3Location | undefined;
  /** The caller's size hint, if any (see `resolveWeights` for the default). */
  readonly weight: number | undefined;
}

/** Default output name: the id plus the input's extension. */
export function defaultOutputName(id: string, input: SegmentInput): string {
  return `${id}${extensionOf(input) || ".out"}`;
}

/** The input's file extension (`""` when it has none). */
function extensionOf(input: SegmentInput): string {
  if ("path" in input) return extname(input.path);
  if ("url" in input) return extname(safeUrlPath(input.url));
  return extname(input.s3.key);
}

function safeUrlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

type ParsedSegment = z.output<typeof segmentSchema>;

/** Every segment with its absolute input path, merged params and output destinations. */
export function planSegments(
  segments: readonly ParsedSegment[],
  destinations: { outputDir: string | undefined; outputs: S3Location | undefined },
  params: Readonly<Record<string, unknown>>,
): PlannedSegment[] {
  const { outputDir, outputs } = destinations;
  return segments.map((s) => {
    const outputName = s.outputName ?? defaultOutputName(s.id, s.input);
    return {
      id: s.id,
      input: "path" in s.input ? { path: resolve(s.input.path) } : s.input,
      params: { ...params, ...s.params },
      outputName,
      outputPath: outputDir === undefined ? undefined : resolve(outputDir, outputName),
      outputS3: s.output?.s3 ?? (outputs === undefined ? undefined : underPrefix(outputs, outputName)),
      weight: s.weight,
    };
  });
}

/** An S3 field as a refinement sees it: parsed (a location), or a raw URI when parsing failed. */
function locationOf(value: unknown): S3Location | undefined {
  if (isRecord(value) && typeof value.bucket === "string" && typeof value.key === "string")
    return { bucket: value.bucket, key: value.key };
  if (typeof value !== "string") return undefined;
  const parsed = parseS3Uri(value);
  return parsed.ok ? parsed.value : undefined;
}

/** The output object a segment would get, as `bucket/key`; undefined when it goes to outputDir only. */
function outputObjectOf(s: Record<string, unknown>, outputs: unknown, name: string): string | undefined {
  if (isRecord(s.output) && s.output.s3 !== undefined) {
    // A malformed override is its own problem; it still means "not to outputDir".
    const own = locationOf(s.output.s3) ?? { bucket: "?", key: String(s.output.s3) };
    return `${own.bucket}/${own.key}`;
  }
  if (!isRecord(outputs) || outputs.s3 === undefined) return undefined;
  const prefix = locationOf(outputs.s3) ?? { bucket: "?", key: `${String(outputs.s3)}/` };
  const at = underPrefix(prefix, name);
  return `${at.bucket}/${at.key}`;
}

/**
 * Rules across segments (refinement of the run's options; the value may be partly invalid):
 * ids, output names and output objects unique, no output path that is an input path, and an
 * `outputDir` for every output that does not go to S3.
 */
export function checkSegments(
  segments: unknown,
  destinations: { outputDir: unknown; outputs: unknown },
  ctx: z.core.$RefinementCtx,
): void {
  if (!Array.isArray(segments)) return;
  const { outputDir, outputs } = destinations;
  const hasOutputDir = outputDir !== undefined;
  const ids = new Set<string>();
  const names = new Set<string>();
  const objects = new Set<string>();
  let needsOutputDir = false;
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
    if (!isRecord(s.input)) continue;
    const { path, url, s3 } = s.input;
    const s3At = locationOf(s3);
    if (typeof path !== "string" && typeof url !== "string" && s3At === undefined) continue;
    const input = (s3At === undefined ? s.input : { s3: s3At }) as SegmentInput;
    const name = typeof s.outputName === "string" ? s.outputName : defaultOutputName(s.id, input);
    const object = outputObjectOf(s, outputs, name);
    if (object === undefined) needsOutputDir = true;
    else if (objects.has(object))
      ctx.addIssue({
        code: "custom",
        path: ["segments", i, isRecord(s.output) ? "output" : "outputName"],
        message: expectedGot("an output object not used by another segment", `s3://${object}`),
      });
    if (object !== undefined) objects.add(object);
    if (typeof outputDir !== "string" || outputDir.length === 0) continue;
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
  if (needsOutputDir && !hasOutputDir)
    ctx.addIssue({
      code: "custom",
      path: ["outputDir"],
      message: expectedGot(
        "a directory (outputs that do not go to S3 land there), or outputs: { s3 }",
        undefined,
      ),
    });
}
