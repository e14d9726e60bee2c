import { createHash } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  type JoinSegmentsOptions,
  joinSegments,
  muxAudio,
  ProbeError,
  probe,
  splitVideo,
  type VideoInfo,
} from "@ecs-fanout/video";
import { type BatchRunOptions, type BatchRunResult, executeParallelBatches } from "ecs-fanout";
import { RunFailedError, UsageError } from "../errors.js";
import type { MediaLocation } from "../parse/run-options.js";
import { EventTranslator } from "../progress/events.js";
import type { ProgressReporter } from "../progress/types.js";
import type { Downloaded, ObjectFacts } from "../s3/download.js";
import type { UploadedObject } from "../s3/upload.js";
import type { S3Location } from "../s3/uri.js";
import { deliverToS3, fetchSource } from "./s3-ends.js";
import { removeStagedOutputs, stageFolder, stageOptions } from "./stage.js";
import { verifyUpscaled } from "./verify.js";

/** What {@link upscaleVideo} upscales, and where the tasks run. */
export interface UpscaleJob {
  input: MediaLocation;
  output: MediaLocation;
  /**
   * The S3 client for `s3://` inputs and outputs, and what HeadObject said about an S3 input
   * (checked before anything launched).
   */
  s3?: { client: S3Client; input?: ObjectFacts | undefined } | undefined;
  /**
   * Move the segments through S3 under this prefix (`--stage`): the core stages them, the tasks
   * fetch them and write their outputs there, and each output streams down into the work dir.
   */
  stage?: { prefix: S3Location; keep: boolean } | undefined;
  scale: 2 | 3 | 4;
  segmentSeconds: number;
  /** Most tasks at once; the run plans one task per ⌈segments / tasks⌉ segments. */
  tasks: number;
  /** Worker processor options, `processor` included; may depend on the probed input. */
  params: Record<string, unknown> | ((input: VideoInfo) => Record<string, unknown>);
  /**
   * Context frames on each side of every segment (the video package's `overlapFrames`).
   * @default 0
   */
  overlapFrames?: number | undefined;
  /**
   * How the join treats context frames, and whether it encodes even without them (for lossless
   * segment outputs). @default { overlap: "trim", encode: "auto" }
   */
  join?: Pick<JoinSegmentsOptions, "overlap" | "encode">;
  /** Where and how tasks run: cluster, task definition, launch, network, AWS clients. */
  batch: Omit<
    BatchRunOptions,
    "segments" | "outputDir" | "params" | "maxParallelTasks" | "segmentsPerBatch" | "signal" | "onEvent"
  >;
  reporter: ProgressReporter;
  signal?: AbortSignal;
  /** Keep the working directory (segments, outputs) instead of deleting it. */
  keepTemp?: boolean;
  /** The run's manifest (JSON lines); the core's default, inside the work dir, when unset. */
  manifest?: string;
  /**
   * Resume an earlier run of the same input and output: its work dir (beside the output) and its
   * manifest say which segment outputs are done; only the rest run.
   */
  resume?: boolean;
}

/** Seconds spent in each local step around the fan-out. */
export interface PipelineTimings {
  /** Fetching an S3 input to the work dir (0 for a local file). */
  downloadSeconds: number;
  probeSeconds: number;
  splitSeconds: number;
  fanoutSeconds: number;
  concatSeconds: number;
  muxSeconds: number;
  verifySeconds: number;
  /** Putting the verified output in S3 (0 for a local file). */
  uploadSeconds: number;
  totalSeconds: number;
}

/** What {@link upscaleVideo} produced: the probed input and output, the run's result, timings. */
export interface UpscaleOutcome {
  input: VideoInfo;
  output: VideoInfo;
  /**
   * The verified output (a path, or its `s3://` URI), or the rejected file in the kept work dir
   * when `problems` is not empty.
   */
  outputPath: string;
  /** The output object as S3 confirmed it, for an `s3://` output. */
  uploaded: UploadedObject | undefined;
  /** How an `s3://` input was fetched (undefined for a file, or a copy a resumed run reused). */
  downloaded: Downloaded | undefined;
  /** Verification problems; empty when the output is what the input promised. */
  problems: string[];
  segments: number;
  result: BatchRunResult;
  timings: PipelineTimings;
  workDir: string | undefined;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Upscales one video end to end: probe, split into exact segments, fan them out, concatenate the
 * outputs in order, put the source audio back and verify the result against the input.
 * Throws RunFailedError (carrying the run's result) when segments failed; a wrong output comes
 * back with its `problems` so the caller can still report the run before failing.
 */
export async function upscaleVideo(job: UpscaleJob): Promise<UpscaleOutcome> {
  const { reporter, signal } = job;
  const started = performance.now();
  const timings: PipelineTimings = {
    downloadSeconds: 0,
    probeSeconds: 0,
    splitSeconds: 0,
    fanoutSeconds: 0,
    concatSeconds: 0,
    muxSeconds: 0,
    verifySeconds: 0,
    uploadSeconds: 0,
    totalSeconds: 0,
  };
  const workDir = workDirFor(job.output);
  if (!job.resume) await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  let keep = Boolean(job.keepTemp);
  try {
    let source: string;
    let downloaded: Downloaded | undefined;
    if (job.input.kind === "s3") {
      if (!job.s3?.input) throw new Error("an s3:// input needs its S3 client and HeadObject facts");
      const fetched = await fetchSource({
        s3: job.s3.client,
        uri: job.input.uri,
        location: job.input.location,
        facts: job.s3.input,
        workDir,
        reporter,
        resume: Boolean(job.resume),
        signal,
      });
      source = fetched.path;
      downloaded = fetched.downloaded;
      timings.downloadSeconds = fetched.seconds;
    } else source = job.input.path;
    const inputName = job.input.kind === "s3" ? job.input.uri : job.input.path;

    reporter.phase("probing");
    let t = performance.now();
    const input = await probeInput(source, inputName, signal);
    timings.probeSeconds = seconds(t);

    reporter.phase(
      "splitting",
      `${input.width}×${input.height} ${input.durationSeconds.toFixed(2)}s → ${job.segmentSeconds}s segments`,
    );
    t = performance.now();
    const segmentDir = join(workDir, "segments");
    const segments = await splitVideo(source, {
      outputDir: segmentDir,
      segmentSeconds: job.segmentSeconds,
      mode: "exact",
      overlapFrames: job.overlapFrames,
      signal,
      onProgress: (p) => {
        if (p.fraction !== undefined) reporter.phaseProgress(p.fraction);
      },
    });
    // The source's audio goes back in straight from the input: an intermediate audio file
    // (Matroska in particular) can shift AAC's priming and lengthen the output by a frame.
    const audioPath = source;
    const hasAudio = input.hasAudio;
    timings.splitSeconds = seconds(t);
    reporter.segments(segments.length);

    t = performance.now();
    const outputDir = join(workDir, "outputs");
    await mkdir(outputDir, { recursive: true });
    const translator = new EventTranslator(reporter);
    let plane: ReturnType<typeof stageOptions> | undefined;
    if (job.stage) {
      if (!job.s3) throw new Error("--stage needs its S3 client");
      const plan = await stageFolder(workDir, job.stage.prefix, Boolean(job.resume));
      plane = stageOptions(plan, job.s3.client, job.stage.keep);
      reporter.note(`staging segments under ${plane.stage}; outputs land in ${plane.outputs?.s3}`);
    }
    const result = await executeParallelBatches({
      ...job.batch,
      ...(plane
        ? {
            stage: plane.stage,
            keepStaged: plane.keepStaged,
            outputs: plane.outputs,
            clients: { ...job.batch.clients, s3: plane.s3 },
          }
        : {}),
      segments: segments.map((s) => ({ id: segmentId(s.index), input: { path: s.path } })),
      outputDir,
      params: typeof job.params === "function" ? job.params(input) : job.params,
      maxParallelTasks: job.tasks,
      segmentsPerBatch: Math.max(1, Math.ceil(segments.length / job.tasks)),
      signal,
      onEvent: (event) => translator.handle(event),
      manifest: job.manifest,
      resume: job.resume,
    });
    timings.fanoutSeconds = seconds(t);
    if (plane && !plane.keepStaged) {
      const left = await removeStagedOutputs(plane.s3, result);
      if (left.length > 0)
        reporter.note(`could not remove ${left.length} segment output(s) from S3: ${left.join(", ")}`);
    }
    if (result.failed > 0) {
      const ids = result.failures.map((f) => f.id);
      const first = result.failures[0]?.error?.message ?? "unknown error";
      throw new RunFailedError(
        ids,
        `${result.failed} of ${segments.length} segments failed (first: ${first})`,
        {
          result,
        },
      );
    }

    reporter.phase("concatenating");
    t = performance.now();
    const bySegment = new Map(result.segments.map((s) => [s.id, s.outputPath]));
    const outputs = segments.map((s) => {
      const path = bySegment.get(segmentId(s.index));
      if (!path)
        throw new RunFailedError([segmentId(s.index)], `segment ${segmentId(s.index)} has no output`);
      return { path, segment: s };
    });
    const joined = join(workDir, "joined.mp4");
    // Each output is checked frame by frame (count and timestamps) before it is joined.
    await joinSegments(outputs, joined, { ...job.join, signal });
    timings.concatSeconds = seconds(t);

    t = performance.now();
    const outputName = job.output.kind === "s3" ? job.output.uri : job.output.path;
    const staged = join(workDir, `final${extensionOf(outputName)}`);
    if (hasAudio) {
      reporter.phase("muxing audio");
      await muxAudio({ video: joined, audio: audioPath, output: staged, signal });
    } else {
      await rename(joined, staged);
    }
    timings.muxSeconds = seconds(t);

    reporter.phase("verifying");
    t = performance.now();
    const output = await probe(staged, { signal });
    const problems = verifyUpscaled(input, output, job.scale);
    timings.verifySeconds = seconds(t);
    // Only a verified file reaches the path (or object) the user named; a rejected one stays in the work dir.
    let uploaded: UploadedObject | undefined;
    if (problems.length > 0) keep = true;
    else if (job.output.kind === "file") await rename(staged, job.output.path);
    else {
      if (!job.s3) throw new Error("an s3:// output needs its S3 client");
      const delivered = await deliverToS3({
        s3: job.s3.client,
        uri: job.output.uri,
        location: job.output.location,
        file: staged,
        reporter,
        signal,
      });
      uploaded = delivered.uploaded;
      timings.uploadSeconds = delivered.seconds;
    }
    timings.totalSeconds = seconds(started);
    reporter.phase("done");
    return {
      input,
      output,
      outputPath: problems.length === 0 ? outputName : staged,
      uploaded,
      downloaded,
      problems,
      segments: segments.length,
      result,
      timings,
      workDir: keep ? workDir : undefined,
    };
  } catch (error) {
    // A failed or interrupted run keeps its segments and outputs: `--resume` picks them up.
    keep = true;
    throw error;
  } finally {
    if (!keep) await rm(workDir, { recursive: true, force: true });
  }
}

export function segmentId(index: number): string {
  return `seg-${String(index).padStart(5, "0")}`;
}

function extensionOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot >= 0 ? path.slice(dot) : ".mp4";
}

/**
 * Where a run keeps its segments and outputs: beside a file output, at a name derived from it;
 * for an S3 output, in the system's temp dir at a name derived from the URI. Either way a resume
 * finds what a killed run left.
 */
export function workDirFor(output: MediaLocation): string {
  if (output.kind === "file") return join(dirname(output.path), `.${basename(output.path)}.ecs-fanout`);
  const id = createHash("sha256").update(output.uri).digest("hex").slice(0, 16);
  return join(tmpdir(), `ecs-fanout-${id}`);
}

/** An unreadable input is the user's argument, not a failed run: exit 2 before anything launches. */
async function probeInput(path: string, name: string, signal: AbortSignal | undefined): Promise<VideoInfo> {
  try {
    const info = await probe(path, { signal });
    if (!(info.width > 0 && info.height > 0)) {
      throw new UsageError("run arguments", [
        { path: "<input>", message: `expected a file with a video stream, got ${name} (${info.formatName})` },
      ]);
    }
    return info;
  } catch (error) {
    if (error instanceof ProbeError) {
      const message = `expected a video ffprobe can read, got ${name}: ${error.message}`;
      throw new UsageError("run arguments", [{ path: "<input>", message }], { cause: error });
    }
    throw error;
  }
}
