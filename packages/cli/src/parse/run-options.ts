import { existsSync, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { detectAwsConfig } from "../target/aws-config.js";
import { Problems, parseChoice, parseInteger, parseList, parsePositiveNumber } from "./values.js";

export const PROCESSORS = ["ffmpeg-scale", "realesrgan", "seedvr2"] as const;
export type ProcessorName = (typeof PROCESSORS)[number];
/** Processors that need a GPU: they imply `--gpu`. */
export const GPU_PROCESSORS: readonly ProcessorName[] = ["realesrgan", "seedvr2"];
export const OUTPUT_EXTENSIONS = [".mp4", ".m4v", ".mov", ".mkv"] as const;

/** `run` options as commander hands them over: strings and flags, nothing checked yet. */
export interface RawRunOptions {
  out?: string;
  scale?: string;
  tasks?: string;
  segmentSeconds?: string;
  processor?: string;
  cluster?: string;
  taskDefinition?: string;
  subnets?: string;
  securityGroups?: string;
  publicIp?: boolean;
  region?: string;
  capacityProvider?: string;
  params?: string;
  spot?: boolean;
  gpu?: boolean;
  local?: boolean;
  json?: boolean;
  keepTemp?: boolean;
  report?: string;
  manifest?: string;
  resume?: boolean;
}

/** Where the tasks run: the in-process local endpoint, or whatever AWS the SDK is configured for. */
export type TargetChoice =
  | { kind: "local"; reason: "--local" | "no AWS configuration" }
  | { kind: "aws"; source: string };

export interface RunOptions {
  input: string;
  output: string;
  /** @default 2 */
  scale: 2 | 3 | 4;
  /** Most tasks launched at once. @default 4 */
  tasks: number;
  /** @default 4 */
  segmentSeconds: number;
  /** @default "ffmpeg-scale" */
  processor: ProcessorName;
  cluster?: string;
  taskDefinition?: string;
  subnets?: string[];
  securityGroups?: string[];
  publicIp: boolean;
  region?: string;
  /** GPU capacity provider on AWS. @default `gpu-<cluster>` */
  capacityProvider?: string;
  /** Extra processor options (`--params` JSON), merged over the CLI's own. */
  extraParams: Record<string, unknown>;
  spot: boolean;
  gpu: boolean;
  json: boolean;
  keepTemp: boolean;
  target: TargetChoice;
  /** The run's record (JSON lines). @default `<output>.run.jsonl` */
  manifest: string;
  /** Where to write the HTML report, if anywhere. */
  report: string | undefined;
  resume: boolean;
}

export const RUN_DEFAULTS = {
  scale: "2",
  tasks: "4",
  segmentSeconds: "4",
  processor: "ffmpeg-scale",
} as const;

/** Picks the target: `--local`, else AWS when anything configures it, else the local endpoint. */
export function chooseTarget(local: boolean | undefined, io: CliIo): TargetChoice {
  if (local) return { kind: "local", reason: "--local" };
  const aws = detectAwsConfig(io.env, io.home);
  return aws.configured
    ? { kind: "aws", source: aws.source ?? "AWS" }
    : { kind: "local", reason: "no AWS configuration" };
}

/** Normalizes and validates `run`'s arguments once, reporting every problem together. */
export function normalizeRunOptions(inputArg: string, raw: RawRunOptions, io: CliIo): RunOptions {
  const problems = new Problems();
  const input = resolve(io.cwd, inputArg);
  if (!existsSync(input))
    problems.add(`<input>: expected an existing video file, got ${JSON.stringify(inputArg)}`);
  else if (!statSync(input).isFile()) problems.add(`<input>: expected a file, got the directory ${inputArg}`);

  let output = "";
  if (!raw.out) problems.add("--out: expected the output file, got nothing");
  else {
    output = resolve(io.cwd, raw.out);
    const ext = extname(output).toLowerCase();
    if (!(OUTPUT_EXTENSIONS as readonly string[]).includes(ext)) {
      problems.add(
        `--out: expected a file ending in ${OUTPUT_EXTENSIONS.join(", ")}, got ${JSON.stringify(raw.out)}`,
      );
    }
    if (output === input) problems.add("--out: expected a file other than the input, got the input itself");
    const dir = dirname(output);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.add(`--out: expected its directory to exist, got ${JSON.stringify(dir)}`);
    }
  }

  const scale = problems.take(parseInteger("--scale", raw.scale ?? RUN_DEFAULTS.scale, { min: 2, max: 4 }));
  const tasks = problems.take(parseInteger("--tasks", raw.tasks ?? RUN_DEFAULTS.tasks, { min: 1, max: 100 }));
  const segmentSeconds = problems.take(
    parsePositiveNumber("--segment-seconds", raw.segmentSeconds ?? RUN_DEFAULTS.segmentSeconds, 3600),
  );
  if (segmentSeconds !== undefined && segmentSeconds < 0.5) {
    problems.add(`--segment-seconds: expected at least 0.5, got ${raw.segmentSeconds}`);
  }
  const processor = problems.take(
    parseChoice("--processor", raw.processor ?? RUN_DEFAULTS.processor, PROCESSORS),
  );
  const subnets = raw.subnets === undefined ? undefined : problems.take(parseList("--subnets", raw.subnets));
  const securityGroups =
    raw.securityGroups === undefined
      ? undefined
      : problems.take(parseList("--security-groups", raw.securityGroups));

  let extraParams: Record<string, unknown> = {};
  if (raw.params !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw.params);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      extraParams = parsed as Record<string, unknown>;
    } catch {
      problems.add(
        `--params: expected a JSON object such as '{"crf":20}', got ${JSON.stringify(raw.params)}`,
      );
    }
  }
  const gpu =
    Boolean(raw.capacityProvider) ||
    Boolean(raw.gpu) ||
    (processor !== undefined && GPU_PROCESSORS.includes(processor));
  const spot = Boolean(raw.spot);
  if (spot && gpu) {
    problems.add(
      "--spot: expected CPU work (Fargate Spot has no GPUs), got a GPU run; use a Spot-backed GPU capacity provider instead",
    );
  }

  const target = chooseTarget(raw.local, io);
  if (target.kind === "local") {
    const awsOnly = [
      ["--task-definition", raw.taskDefinition],
      ["--subnets", raw.subnets],
      ["--security-groups", raw.securityGroups],
      ["--region", raw.region],
      ["--capacity-provider", raw.capacityProvider],
      ["--public-ip", raw.publicIp || undefined],
    ] as const;
    for (const [flag, value] of awsOnly) {
      if (value !== undefined) {
        problems.add(
          `${flag}: only applies to AWS, got it with the local endpoint (${target.reason}); ` +
            (target.reason === "--local" ? "drop --local" : "configure AWS (AWS_PROFILE, AWS_REGION, …)"),
        );
      }
    }
  }

  const report = raw.report === undefined ? undefined : resolve(io.cwd, raw.report);
  if (report !== undefined && !/\.html?$/i.test(report))
    problems.add(`--report: expected a file ending in .html, got ${JSON.stringify(raw.report)}`);
  const manifest = raw.manifest === undefined ? `${output}.run.jsonl` : resolve(io.cwd, raw.manifest);

  if (!problems.empty) throw new UsageError(problems.list);
  return {
    input,
    output,
    scale: scale as 2 | 3 | 4,
    tasks: tasks!,
    segmentSeconds: segmentSeconds!,
    processor: processor!,
    cluster: raw.cluster,
    taskDefinition: raw.taskDefinition,
    subnets,
    securityGroups,
    publicIp: Boolean(raw.publicIp),
    region: raw.region,
    capacityProvider: raw.capacityProvider,
    extraParams,
    spot,
    gpu,
    json: Boolean(raw.json),
    keepTemp: Boolean(raw.keepTemp),
    target,
    manifest,
    report,
    resume: Boolean(raw.resume),
  };
}
