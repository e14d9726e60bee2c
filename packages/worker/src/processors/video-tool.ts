import { stat } from "node:fs/promises";
import { ProcessorError } from "../errors.js";
import { probeInput } from "./ffmpeg-scale.js";
import { remuxSourceAudio } from "./remux.js";
import { runTool } from "./tool.js";
import type { ProcessorContext, ProcessorResult } from "./types.js";

/** The parts of a job's context that running a video tool reads. */
export type VideoToolContext = Pick<
  ProcessorContext<unknown>,
  "jobId" | "inputPath" | "outputPath" | "scratchDir" | "signal" | "onProgress" | "config"
>;

export interface VideoToolRun {
  /** Processor name, used in errors and logs (e.g. "seedvr2"). */
  tool: string;
  /** The full command line, configured command first. */
  argv: readonly string[];
  /** Where the tool writes its video; the job fails if it is missing after a clean exit. */
  video: string;
  /** Defaults to the worker's own environment. */
  env?: NodeJS.ProcessEnv;
}

/**
 * One job of an external video tool (Real-ESRGAN, SeedVR2): probes the upload, runs the tool
 * in the job's scratch folder, then puts the source audio under the tool's video as the output.
 */
export async function runVideoTool(ctx: VideoToolContext, run: VideoToolRun): Promise<ProcessorResult> {
  await probeInput(ctx, run.tool);
  await runTool({
    tool: run.tool,
    argv: run.argv,
    cwd: ctx.scratchDir,
    env: run.env,
    signal: ctx.signal,
    // The tool's progress fills 0–95 %; the audio re-mux after it is the rest of the job.
    onProgress: (f) => ctx.onProgress(f * 0.95),
  });
  await stat(run.video).catch((cause) => {
    throw new ProcessorError("TOOL_NO_OUTPUT", `${run.tool} exited 0 but wrote no ${run.video}`, {
      processor: run.tool,
      jobId: ctx.jobId,
      cause,
    });
  });
  await remuxSourceAudio({
    source: ctx.inputPath,
    video: run.video,
    output: ctx.outputPath,
    signal: ctx.signal,
  });
  return { contentType: "video/mp4" };
}
