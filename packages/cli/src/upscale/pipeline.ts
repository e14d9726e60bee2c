import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { joinSegments, muxAudio, ProbeError, probe, splitVideo, type VideoInfo } from "@ecs-fanout/video";
import { type BatchRunOptions, type BatchRunResult, executeParallelBatches } from "ecs-fanout";
import { RunFailedError, UsageError } from "../errors.js";
import { EventTranslator } from "../progress/events.js";
import type { ProgressReporter } from "../progress/types.js";
import { verifyUpscaled } from "./verify.js";

/** What {@link upscaleVideo} upscales, and where the tasks run. */
export interface UpscaleJob {
  input: string;
  output: string;
  scale: 2 | 3 | 4;
  segmentSeconds: number;
  /** Most tasks at once; the run plans one task per ⌈segments / tasks⌉ segments. */
  tasks: number;
  /** Worker processor options, `processor` included; may depend on the probed input. */
  params: Record<string, unknown> | ((input: VideoInfo) => Record<string, unknown>);
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
  probeSeconds: number;
  splitSeconds: number;
  fanoutSeconds: number;
  concatSeconds: number;
  muxSeconds: number;
  verifySeconds: number;
  totalSeconds: number;
}

/** What {@link upscaleVideo} produced: the probed input and output, the run's result, timings. */
export interface UpscaleOutcome {
  input: VideoInfo;
  output: VideoInfo;
  /** The verified output, or the rejected file in the kept work dir when `problems` is not empty. */
  outputPath: string;
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
    probeSeconds: 0,
    splitSeconds: 0,
    fanoutSeconds: 0,
    concatSeconds: 0,
    muxSeconds: 0,
    verifySeconds: 0,
    totalSeconds: 0,
  };
  // Beside the output, at a name derived from it, so a resume finds what a killed run left.
  const workDir = join(dirname(job.output), `.${basename(job.output)}.ecs-fanout`);
  if (!job.resume) await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  let keep = Boolean(job.keepTemp);
  try {
    reporter.phase("probing");
    let t = performance.now();
    const input = await probeInput(job.input, signal);
    timings.probeSeconds = seconds(t);

    reporter.phase(
      "splitting",
      `${input.width}×${input.height} ${input.durationSeconds.toFixed(2)}s → ${job.segmentSeconds}s segments`,
    );
    t = performance.now();
    const segmentDir = join(workDir, "segments");
    const segments = await splitVideo(job.input, {
      outputDir: segmentDir,
      segmentSeconds: job.segmentSeconds,
      mode: "exact",
      signal,
      onProgress: (p) => {
        if (p.fraction !== undefined) reporter.phaseProgress(p.fraction);
      },
    });
    // The source's audio goes back in straight from the input: an intermediate audio file
    // (Matroska in particular) can shift AAC's priming and lengthen the output by a frame.
    const audioPath = job.input;
    const hasAudio = input.hasAudio;
    timings.splitSeconds = seconds(t);
    reporter.segments(segments.length);

    t = performance.now();
    const outputDir = join(workDir, "outputs");
    await mkdir(outputDir, { recursive: true });
    const translator = new EventTranslator(reporter);
    const result = await executeParallelBatches({
      ...job.batch,
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
    await joinSegments(outputs, joined, { signal });
    timings.concatSeconds = seconds(t);

    t = performance.now();
    const staged = join(workDir, `final${extensionOf(job.output)}`);
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
    // Only a verified file reaches the path the user named; a rejected one stays in the work dir.
    if (problems.length === 0) await rename(staged, job.output);
    else keep = true;
    timings.verifySeconds = seconds(t);
    timings.totalSeconds = seconds(started);
    reporter.phase("done");
    return {
      input,
      output,
      outputPath: problems.length === 0 ? job.output : staged,
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

/** An unreadable input is the user's argument, not a failed run: exit 2 before anything launches. */
async function probeInput(path: string, signal: AbortSignal | undefined): Promise<VideoInfo> {
  try {
    const info = await probe(path, { signal });
    if (!(info.width > 0 && info.height > 0)) {
      throw new UsageError("run arguments", [
        { path: "<input>", message: `expected a file with a video stream, got ${path} (${info.formatName})` },
      ]);
    }
    return info;
  } catch (error) {
    if (error instanceof ProbeError) {
      const message = `expected a video ffprobe can read, got ${path}: ${error.message}`;
      throw new UsageError("run arguments", [{ path: "<input>", message }], { cause: error });
    }
    throw error;
  }
}
