import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BatchRunOptions, BatchRunResult } from "ecs-fanout";
import { parseS3Uri, type S3Location, s3Uri, underPrefix } from "../s3/uri.js";

/** Where one `--stage` run keeps its objects: its own folder under the user's prefix. */
export interface StagePlan {
  /** `<prefix><run key>/in/`: the core stages the segments here. */
  readonly inputs: S3Location;
  /** `<prefix><run key>/out/`: the tasks write their outputs here; the core streams them down. */
  readonly outputs: S3Location;
}

/**
 * A fresh folder per invocation under the `--stage` prefix, so two runs sharing a prefix never
 * touch each other's segments (their ids, `seg-00000` …, are the same in every run).
 */
export function planStage(prefix: S3Location): StagePlan {
  const key = `run-${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}/`;
  const run = underPrefix(prefix, key);
  return { inputs: underPrefix(run, "in/"), outputs: underPrefix(run, "out/") };
}

/** The file in the work dir that remembers the run's folder, for `--resume`. */
const PLAN_FILE = "stage.json";
/** Longest plan file read back (it holds two URIs). */
const MAX_PLAN_BYTES = 8192;

/**
 * The run's folder under the `--stage` prefix: on `--resume`, the one the interrupted run used
 * (the outputs that landed there are reused, and the segments it staged removed at the end), else
 * a fresh one. Remembered in the work dir, which an interrupted run keeps.
 */
export async function stageFolder(workDir: string, prefix: S3Location, resume: boolean): Promise<StagePlan> {
  const file = join(workDir, PLAN_FILE);
  if (resume) {
    const saved = await readFile(file, "utf8").then(readPlan, () => undefined);
    const under = s3Uri(prefix);
    if (saved && s3Uri(saved.inputs).startsWith(under) && s3Uri(saved.outputs).startsWith(under))
      return saved;
  }
  const plan = planStage(prefix);
  await writeFile(file, JSON.stringify({ inputs: s3Uri(plan.inputs), outputs: s3Uri(plan.outputs) }));
  return plan;
}

/** The plan file's two prefixes, or undefined for anything else (it is read back, not trusted). */
function readPlan(text: string): StagePlan | undefined {
  if (text.length > MAX_PLAN_BYTES) return undefined;
  try {
    const raw = JSON.parse(text) as { inputs?: unknown; outputs?: unknown };
    if (typeof raw.inputs !== "string" || typeof raw.outputs !== "string") return undefined;
    const inputs = parseS3Uri(raw.inputs, "prefix");
    const outputs = parseS3Uri(raw.outputs, "prefix");
    return inputs.ok && outputs.ok ? { inputs: inputs.value, outputs: outputs.value } : undefined;
  } catch {
    return undefined;
  }
}

/** The run options that move segments through S3: staged inputs, S3 outputs streamed down. */
export function stageOptions(
  plan: StagePlan,
  s3: S3Client,
  keepStaged: boolean,
): Pick<BatchRunOptions, "stage" | "keepStaged" | "outputs"> & { s3: S3Client } {
  return { stage: s3Uri(plan.inputs), keepStaged, outputs: { s3: s3Uri(plan.outputs) }, s3 };
}

/**
 * Removes the segment outputs the tasks wrote to S3, once the core has streamed each one into the
 * work dir (verified): the join reads those copies, and the final file goes to `--out`. The core
 * removes the staged inputs itself. Returns what could not be removed, to say so rather than fail
 * a finished run.
 */
export async function removeStagedOutputs(
  s3: S3Client,
  result: BatchRunResult,
  signal?: AbortSignal,
): Promise<string[]> {
  const left: string[] = [];
  for (const segment of result.segments) {
    if (segment.s3 === undefined) continue;
    const parsed = parseS3Uri(segment.s3.uri, "object");
    if (!parsed.ok) continue;
    try {
      await s3.send(
        new DeleteObjectCommand({
          Bucket: parsed.value.bucket,
          Key: parsed.value.key,
          ...(segment.s3.versionId ? { VersionId: segment.s3.versionId } : {}),
        }),
        { abortSignal: signal ?? AbortSignal.timeout(30_000) },
      );
    } catch {
      left.push(segment.s3.uri);
    }
  }
  return left;
}
