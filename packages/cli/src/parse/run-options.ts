import { existsSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { joinSegmentsOptionsSchema, splitVideoOptionsSchema } from "@ecs-fanout/video";
import { ffmpegScaleParams, seedVr2Params } from "@ecs-fanout/worker";
import { type LivenessOptions, livenessSchema } from "ecs-fanout/options";
import { z } from "zod";
import type { CliIo } from "../io.js";
import { isS3Uri, parseS3Uri, type S3Location, s3Uri } from "../s3/uri.js";
import { detectAwsConfig } from "../target/aws-config.js";
import {
  apiIntegerFlag,
  apiNumberFlag,
  checkFlags,
  integerFlag,
  jsonObjectFlag,
  listFlag,
  nameFlag,
  numberFlag,
  switchFlag,
  whenParsed,
} from "./flags.js";
import { processorParamsIssues } from "./processor-options.js";

export const PROCESSORS = ["ffmpeg-scale", "realesrgan", "seedvr2"] as const;
export type ProcessorName = (typeof PROCESSORS)[number];
/** Processors that need a GPU: they imply `--gpu`. */
export const GPU_PROCESSORS: readonly ProcessorName[] = ["realesrgan", "seedvr2"];
export const OUTPUT_EXTENSIONS = [".mp4", ".m4v", ".mov", ".mkv"] as const;

/** Where the tasks run: the in-process local endpoint, or whatever AWS the SDK is configured for. */
export type TargetChoice =
  | { kind: "local"; reason: "--local" | "no AWS configuration" }
  | { kind: "aws"; source: string };

const outputFile = z
  .string()
  .regex(new RegExp(`(${OUTPUT_EXTENSIONS.map((e) => `\\${e}`).join("|")})$`, "i"))
  .describe(`a file or s3:// object ending in ${OUTPUT_EXTENSIONS.join(", ")}`);

/** Where a video comes from or goes to: a local file, or an object in S3. */
export type MediaLocation =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "s3"; readonly uri: string; readonly location: S3Location };

/** An `s3://` argument as a problem-reporting refinement: the URI's shape, checked before anything runs. */
function s3Issue(text: string, kind: "object" | "prefix", path: string, ctx: z.core.$RefinementCtx): void {
  const parsed = parseS3Uri(text, kind);
  if (!parsed.ok) ctx.addIssue({ code: "custom", path: [path], message: parsed.message });
}

const located = (text: string, at: (p: string) => string): MediaLocation => {
  if (!isS3Uri(text)) return { kind: "file", path: at(text) };
  const parsed = parseS3Uri(text, "object");
  if (!parsed.ok) throw new Error(parsed.message);
  return { kind: "s3", uri: s3Uri(parsed.value), location: parsed.value };
};

/**
 * The API options some flags set, whose bounds and defaults stay the API's: a flag not given
 * leaves its option to the API's default (which the help text reads from here).
 */
export const API_OPTIONS = {
  overlapFrames: splitVideoOptionsSchema.shape.overlapFrames,
  temporalOverlap: seedVr2Params.shape.temporalOverlap,
  livenessInterval: livenessSchema.shape.intervalMs,
  livenessTimeout: livenessSchema.shape.timeoutMs,
  livenessFailures: livenessSchema.shape.failures,
} as const;

/** `run`'s argument and options as commander hands them over; each key is its flag in camelCase. */
export const runFlags = z.strictObject({
  /** The video to upscale (the positional `<input>`): a file, or an `s3://bucket/key` object. */
  input: z.string().min(1).describe("a video file or s3:// object"),
  /** The output video: a file, or an `s3://bucket/key` object. */
  out: outputFile,
  /**
   * Move the segments through S3: core stages them under this `s3://bucket/prefix/` and the tasks
   * write their outputs there too; all of it is removed at the end unless `keepStaged`.
   */
  stage: z.string().min(1).describe("an s3:// prefix ending in / (s3://bucket/prefix/)").optional(),
  /** Leave the staged segments and their outputs in S3. */
  keepStaged: switchFlag,
  /** Upscale factor. @default 2 */
  scale: integerFlag(2, 4)
    .transform((n) => n as 2 | 3 | 4)
    .default(2),
  /** Most tasks running at once. @default 4 */
  tasks: integerFlag(1, 100).default(4),
  /** Length of each segment in seconds. @default 4 */
  segmentSeconds: numberFlag({ min: 0.5, max: 3600 }).default(4),
  /** What each task runs. @default "ffmpeg-scale" */
  processor: z.enum(PROCESSORS).default("ffmpeg-scale"),
  /** Extra processor options (`--params` JSON), merged over the CLI's own. @default {} */
  params: jsonObjectFlag.default({}),
  /**
   * Context frames added on each side of every segment, so a temporal processor sees each
   * segment's neighbours; the join drops or crossfades them. The video package's option.
   * @default 0
   */
  overlapFrames: apiIntegerFlag(API_OPTIONS.overlapFrames),
  /** What the join does with the context frames (the video package's `overlap`). @default "trim" */
  overlapJoin: joinSegmentsOptionsSchema.shape.overlap,
  /** ffmpeg-scale's temporal filter after the scale (a CPU stand-in for a temporal model). */
  temporal: ffmpegScaleParams.in.shape.temporal,
  /**
   * ffmpeg-scale encodes its outputs losslessly, and the join then makes the run's only lossy
   * encode. @default false
   */
  lossless: ffmpegScaleParams.in.shape.lossless,
  /** Frames SeedVR2 blends between its batches. @default 0 */
  temporalOverlap: apiIntegerFlag(API_OPTIONS.temporalOverlap),
  /** The run's liveness checks of each task's worker (core's `liveness.intervalMs`). @default 1000 */
  livenessInterval: apiNumberFlag(API_OPTIONS.livenessInterval),
  /** How long one liveness check may take (core's `liveness.timeoutMs`). @default 1500 */
  livenessTimeout: apiNumberFlag(API_OPTIONS.livenessTimeout),
  /** Failed checks in a row after which a task is given up on (`liveness.failures`). @default 3 */
  livenessFailures: apiIntegerFlag(API_OPTIONS.livenessFailures),
  cluster: nameFlag.optional(),
  taskDefinition: nameFlag.optional(),
  subnets: listFlag.optional(),
  securityGroups: listFlag.optional(),
  publicIp: switchFlag,
  region: nameFlag.optional(),
  /** GPU capacity provider on AWS; implies `gpu`. @default `gpu-<cluster>` */
  capacityProvider: nameFlag.optional(),
  spot: switchFlag,
  gpu: switchFlag,
  local: switchFlag,
  json: switchFlag,
  keepTemp: switchFlag,
  /** Where to write the run's HTML report, if anywhere. */
  report: z
    .string()
    .regex(/\.html?$/i)
    .describe("a file ending in .html")
    .optional(),
  /** The run record (JSON lines). @default `<out>.run.jsonl` */
  manifest: z.string().min(1).describe("a file path").optional(),
  /** Run only what the run record says is not done yet. */
  resume: switchFlag,
});

type RunFlags = z.output<typeof runFlags>;

/** Flags that name AWS resources: meaningless against the local endpoint. */
const AWS_ONLY = [
  "taskDefinition",
  "subnets",
  "securityGroups",
  "region",
  "capacityProvider",
  "publicIp",
] as const;

function impliesGpu(o: Pick<RunFlags, "capacityProvider" | "gpu" | "processor">): boolean {
  return o.capacityProvider !== undefined || o.gpu || GPU_PROCESSORS.includes(o.processor);
}

/** What the schema needs besides the flags: the directory paths are relative to, and the target. */
export interface RunContext {
  cwd: string;
  target: TargetChoice;
}

/** `run`'s schema: the flags, the files they name and the rules between them. */
export function runOptionsSchema(context: RunContext) {
  const at = (path: string) => resolve(context.cwd, path);
  return runFlags
    .superRefine((o, ctx) => {
      // An S3 input's existence is checked against S3 itself, once the flags are valid.
      if (isS3Uri(o.input)) return s3Issue(o.input, "object", "input", ctx);
      const input = at(o.input);
      if (!existsSync(input))
        ctx.addIssue({
          code: "custom",
          path: ["input"],
          message: expectedGot("an existing video file", o.input),
        });
      else if (!statSync(input).isFile())
        ctx.addIssue({
          code: "custom",
          path: ["input"],
          message: expectedGot("a file, not a directory", o.input),
        });
    }, whenParsed("input"))
    .superRefine((o, ctx) => {
      if (isS3Uri(o.out)) return s3Issue(o.out, "object", "out", ctx);
      const dir = dirname(at(o.out));
      if (!existsSync(dir) || !statSync(dir).isDirectory())
        ctx.addIssue({
          code: "custom",
          path: ["out"],
          message: expectedGot("a file in an existing directory", o.out),
        });
    }, whenParsed("out"))
    .superRefine(
      (o, ctx) => {
        const same = isS3Uri(o.out) || isS3Uri(o.input) ? o.out === o.input : at(o.out) === at(o.input);
        if (same)
          ctx.addIssue({
            code: "custom",
            path: ["out"],
            message: "expected a file other than the input, got the input itself",
          });
      },
      whenParsed("input", "out"),
    )
    .superRefine(
      (o, ctx) => {
        if (o.stage !== undefined) s3Issue(o.stage, "prefix", "stage", ctx);
        else if (o.keepStaged)
          ctx.addIssue({
            code: "custom",
            path: ["keepStaged"],
            message: expectedGot("--stage s3://…/ beside it", "no --stage"),
          });
      },
      whenParsed("stage", "keepStaged"),
    )
    .superRefine(
      (o, ctx) => {
        if (o.spot && impliesGpu(o)) {
          ctx.addIssue({
            code: "custom",
            path: ["spot"],
            message:
              "expected CPU work (Fargate Spot has no GPUs), got a GPU run; use a Spot-backed GPU capacity provider instead",
          });
        }
      },
      whenParsed("spot", "gpu", "capacityProvider", "processor"),
    )
    .superRefine(
      (o, ctx) => {
        if (o.overlapJoin === "crossfade" && !o.overlapFrames)
          ctx.addIssue({
            code: "custom",
            path: ["overlapJoin"],
            message: expectedGot(
              "--overlap-frames above 0 beside it (context frames to blend)",
              "no context frames",
            ),
          });
      },
      whenParsed("overlapJoin", "overlapFrames"),
    )
    .superRefine(
      (o, ctx) => {
        for (const issue of processorParamsIssues(o, o.params)) ctx.addIssue({ code: "custom", ...issue });
      },
      whenParsed("processor", "scale", "params", "temporal", "lossless", "temporalOverlap"),
    )
    .superRefine(
      (o, ctx) => {
        const { target } = context;
        if (target.kind !== "local") return;
        const fix =
          target.reason === "--local" ? "drop --local" : "configure AWS (AWS_PROFILE, AWS_REGION, …)";
        for (const key of AWS_ONLY) {
          if (o[key] === undefined || o[key] === false) continue;
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `expected AWS (the flag names AWS resources), got the local endpoint (${target.reason}); ${fix}`,
          });
        }
      },
      whenParsed(...AWS_ONLY),
    )
    .transform(
      ({ out, report, manifest, stage, livenessInterval, livenessTimeout, livenessFailures, ...o }) => ({
        ...o,
        liveness: livenessOf(livenessInterval, livenessTimeout, livenessFailures),
        source: located(o.input, at),
        destination: located(out, at),
        stage: stage === undefined ? undefined : stagePrefix(stage),
        report: report === undefined ? undefined : at(report),
        // An S3 output has no folder beside it here: its record goes to the working directory.
        manifest:
          manifest !== undefined
            ? at(manifest)
            : isS3Uri(out)
              ? at(`${basename(out)}.run.jsonl`)
              : `${at(out)}.run.jsonl`,
        gpu: impliesGpu(o),
        target: context.target,
      }),
    );
}

/** The run's `liveness` option from the flags given, or undefined (core's defaults) for none. */
function livenessOf(
  intervalMs: number | undefined,
  timeoutMs: number | undefined,
  failures: number | undefined,
): LivenessOptions | undefined {
  const given = Object.entries({ intervalMs, timeoutMs, failures }).filter(([, v]) => v !== undefined);
  return given.length === 0 ? undefined : Object.fromEntries(given);
}

function stagePrefix(text: string): S3Location {
  const parsed = parseS3Uri(text, "prefix");
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** `run`'s options once validated: absolute paths, typed values, defaults applied. */
export type RunOptions = z.output<ReturnType<typeof runOptionsSchema>>;

/** Picks the target: `--local`, else AWS when anything configures it, else the local endpoint. */
export function chooseTarget(local: unknown, io: CliIo): TargetChoice {
  if (local === true) return { kind: "local", reason: "--local" };
  const aws = detectAwsConfig(io.env, io.home);
  return aws.configured
    ? { kind: "aws", source: aws.source ?? "AWS" }
    : { kind: "local", reason: "no AWS configuration" };
}

/** Validates `run`'s argument and options once, reporting every problem together. */
export function normalizeRunOptions(input: string, raw: Record<string, unknown>, io: CliIo): RunOptions {
  const target = chooseTarget(raw["local"], io);
  return checkFlags("run", runOptionsSchema({ cwd: io.cwd, target }), { ...raw, input });
}
