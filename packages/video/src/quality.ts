import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { runFfmpeg } from "./run.js";
import { abortSignal, checkArgs, filePath } from "./schema.js";
import { refuseUnsafeMedia, untrustedInputArgs } from "./untrusted.js";

/** Options of {@link compareFrames}. */
export const compareFramesOptionsSchema = z.strictObject({
  /** Aborting kills ffmpeg and rejects with `signal.reason`. */
  signal: abortSignal.optional(),
});
/** Options of {@link compareFrames}. */
export type CompareFramesOptions = z.input<typeof compareFramesOptionsSchema>;

/** Per-frame quality of a video against a reference, frame n against frame n. */
export interface FrameQuality {
  /** PSNR (average over the planes, dB) of every frame; identical frames are `Infinity`. */
  psnr: number[];
  /** SSIM (all planes, 0..1) of every frame. */
  ssim: number[];
}

/**
 * Compares `file` with `reference` frame by frame with ffmpeg's `psnr` and `ssim` filters (both
 * videos the same size). Frames are paired by position, frame n with frame n, whatever their
 * timestamps: check the times separately (verifySegmentFrames). Both files are read as untrusted
 * media. This is how a fanned-out output can be checked against a one-pass run of the same
 * processor.
 *
 * @throws {@link VideoOptionsError}; {@link MediaRefusedError}; {@link FfmpegError}.
 */
export async function compareFrames(
  file: string,
  reference: string,
  options: CompareFramesOptions = {},
): Promise<FrameQuality> {
  const [, , { signal }] = checkArgs("compareFrames", [
    { name: "file", schema: filePath, value: file },
    { name: "reference", schema: filePath, value: reference },
    { name: "", schema: compareFramesOptionsSchema, value: options },
  ] as const);
  await refuseUnsafeMedia(file);
  await refuseUnsafeMedia(reference);
  // The stats files are named relative to ffmpeg's working directory: no path has to be escaped
  // for the filtergraph.
  const dir = await mkdtemp(path.join(tmpdir(), "ecs-fanout-quality-"));
  try {
    const graph =
      // Frame n meets frame n, whatever their timestamps: the filters would pair frames by time.
      "[0:v]settb=AVTB,setpts=N,split[a][b];[1:v]settb=AVTB,setpts=N,split[c][d];" +
      "[a][c]psnr=stats_file=psnr.log[p];[b][d]ssim=stats_file=ssim.log[s]";
    const args = [...untrustedInputArgs(file), ...untrustedInputArgs(reference)];
    args.push("-filter_complex", graph, "-map", "[p]", "-f", "null", "-", "-map", "[s]", "-f", "null", "-");
    await runFfmpeg(args, { cwd: dir, signal });
    return {
      psnr: statValues(await readFile(path.join(dir, "psnr.log"), "utf8"), /psnr_avg:(\S+)/),
      ssim: statValues(await readFile(path.join(dir, "ssim.log"), "utf8"), /All:(\S+)/),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One number per stats line; `inf` (identical frames) becomes Infinity. */
function statValues(text: string, pattern: RegExp): number[] {
  const values: number[] = [];
  for (const line of text.split("\n")) {
    const value = pattern.exec(line)?.[1];
    if (value === undefined) continue;
    values.push(value === "inf" ? Number.POSITIVE_INFINITY : Number(value));
  }
  return values;
}
