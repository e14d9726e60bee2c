import path from "node:path";
import { OptionReader } from "./options.js";
import type { Normalized, Processor, ProcessorContext } from "./types.js";
import { runVideoTool } from "./video-tool.js";

/** Model names Real-ESRGAN's video script accepts for `model`. */
export const REALESRGAN_MODELS = [
  "RealESRGAN_x4plus",
  "RealESRNet_x4plus",
  "RealESRGAN_x4plus_anime_6B",
  "RealESRGAN_x2plus",
  "realesr-animevideov3",
  "realesr-general-x4v3",
] as const;

/** Options of Real-ESRGAN's video script (`inference_realesrgan_video.py`). */
export interface RealEsrganOptions {
  /** @default "RealESRGAN_x4plus" */
  model: (typeof REALESRGAN_MODELS)[number];
  /** Final scale (`-s/--outscale`). @default 4 */
  scale: 2 | 3 | 4;
  /** "gpu" uses fp16 and big tiles; "cpu" hides the GPU, uses fp32 and small tiles. @default "gpu" */
  device: "gpu" | "cpu";
  /** Tile size, 0 = no tiling. @default 256 on gpu, 128 on cpu */
  tile: number;
  /** @default 10 on gpu, 5 on cpu */
  tilePad: number;
  /** @default 0 */
  prePad: number;
  /** Full precision instead of fp16. @default false on gpu, true on cpu */
  fp32: boolean;
  /** GFPGAN face enhancement. @default false */
  faceEnhance: boolean;
  /** Only for realesr-general-x4v3 (0 keeps noise, 1 removes it). */
  denoiseStrength?: number;
}

export function normalizeRealEsrgan(raw: Record<string, unknown>): Normalized<RealEsrganOptions> {
  const read = new OptionReader(raw);
  const model = read.oneOf("model", REALESRGAN_MODELS) ?? "RealESRGAN_x4plus";
  const scale = read.oneOf("scale", [2, 3, 4] as const) ?? 4;
  const device = read.oneOf("device", ["gpu", "cpu"] as const) ?? "gpu";
  const tile = read.number("tile", { min: 0, max: 4096, integer: true });
  const tilePad = read.number("tilePad", { min: 0, max: 256, integer: true });
  const prePad = read.number("prePad", { min: 0, max: 256, integer: true });
  const fp32 = read.boolean("fp32");
  const faceEnhance = read.boolean("faceEnhance") ?? false;
  const denoiseStrength = read.number("denoiseStrength", { min: 0, max: 1 });
  read.finish();
  if (denoiseStrength !== undefined && model !== "realesr-general-x4v3") {
    read.addProblem(
      `denoiseStrength: expected model "realesr-general-x4v3", got model ${JSON.stringify(model)}`,
    );
  }
  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  const gpu = device === "gpu";
  return {
    ok: true,
    options: {
      model,
      scale,
      device,
      tile: tile ?? (gpu ? 256 : 128),
      tilePad: tilePad ?? (gpu ? 10 : 5),
      prePad: prePad ?? 0,
      fp32: fp32 ?? !gpu,
      faceEnhance,
      denoiseStrength,
    },
  };
}

/** argv after the configured command; the tool writes `<outputDir>/<input name>_out.mp4`. */
export function realEsrganArgs(input: string, outputDir: string, options: RealEsrganOptions): string[] {
  return [
    "-i",
    input,
    "-o",
    outputDir,
    "-n",
    options.model,
    "-s",
    String(options.scale),
    "--suffix",
    "out",
    "-t",
    String(options.tile),
    "--tile_pad",
    String(options.tilePad),
    "--pre_pad",
    String(options.prePad),
    ...(options.fp32 ? ["--fp32"] : []),
    ...(options.faceEnhance ? ["--face_enhance"] : []),
    ...(options.denoiseStrength !== undefined ? ["-dn", String(options.denoiseStrength)] : []),
  ];
}

async function run(ctx: ProcessorContext<RealEsrganOptions>) {
  const command = ctx.config.realesrganCommand;
  if (!command) throw new Error("realesrgan is not configured");
  const outputDir = path.join(ctx.scratchDir, "realesrgan");
  return runVideoTool(ctx, {
    tool: "realesrgan",
    argv: [...command, ...realEsrganArgs(ctx.inputPath, outputDir, ctx.options)],
    video: path.join(outputDir, `${path.parse(ctx.inputPath).name}_out.mp4`),
    env: ctx.options.device === "cpu" ? { ...process.env, CUDA_VISIBLE_DEVICES: "" } : process.env,
  });
}

/** GPU (or CPU) upscale with Real-ESRGAN; enabled by FANOUT_REALESRGAN_BIN. */
export const realEsrgan: Processor<RealEsrganOptions> = {
  name: "realesrgan",
  description: "GPU upscale with Real-ESRGAN's video script, source audio re-muxed",
  unavailableReason: (config) => (config.realesrganCommand ? null : "set FANOUT_REALESRGAN_BIN"),
  normalize: normalizeRealEsrgan,
  run,
};
