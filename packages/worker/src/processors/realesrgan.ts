import path from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { childEnvironment } from "../config.js";
import type { Processor, ProcessorContext } from "./types.js";
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

const scaleFactor = z.union([z.literal(2), z.literal(3), z.literal(4)]);

/** Params of Real-ESRGAN's video script (`inference_realesrgan_video.py`); strict. */
export const realEsrganParams = z
  .strictObject({
    /** @default "RealESRGAN_x4plus" */
    model: z.enum(REALESRGAN_MODELS).default("RealESRGAN_x4plus"),
    /** Final scale (`-s/--outscale`). @default 4 */
    scale: scaleFactor.default(4),
    /** "gpu" uses fp16 and big tiles; "cpu" hides the GPU, uses fp32 and small tiles. @default "gpu" */
    device: z.enum(["gpu", "cpu"]).default("gpu"),
    /** Tile size, 0 = no tiling. @default 256 on gpu, 128 on cpu */
    tile: z.number().int().min(0).max(4096).optional(),
    /** @default 10 on gpu, 5 on cpu */
    tilePad: z.number().int().min(0).max(256).optional(),
    /** @default 0 */
    prePad: z.number().int().min(0).max(256).default(0),
    /** Full precision instead of fp16. @default false on gpu, true on cpu */
    fp32: z.boolean().optional(),
    /** GFPGAN face enhancement. @default false */
    faceEnhance: z.boolean().default(false),
    /** Only for realesr-general-x4v3 (0 keeps noise, 1 removes it). */
    denoiseStrength: z.number().min(0).max(1).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.denoiseStrength !== undefined && p.model !== "realesr-general-x4v3") {
      ctx.addIssue({
        code: "custom",
        path: ["denoiseStrength"],
        message: expectedGot('model "realesr-general-x4v3" alongside', `model ${p.model}`),
      });
    }
  })
  .transform((p) => {
    // The device decides the defaults of the tiling and precision options.
    const gpu = p.device === "gpu";
    return {
      ...p,
      tile: p.tile ?? (gpu ? 256 : 128),
      tilePad: p.tilePad ?? (gpu ? 10 : 5),
      fp32: p.fp32 ?? !gpu,
    };
  });

/** Real-ESRGAN's options after defaults are applied. */
export type RealEsrganOptions = z.output<typeof realEsrganParams>;

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
    env:
      ctx.options.device === "cpu" ? { ...childEnvironment(), CUDA_VISIBLE_DEVICES: "" } : childEnvironment(),
  });
}

/** GPU (or CPU) upscale with Real-ESRGAN; enabled by FANOUT_REALESRGAN_BIN. */
export const realEsrgan: Processor<RealEsrganOptions> = {
  name: "realesrgan",
  description: "GPU upscale with Real-ESRGAN's video script, source audio re-muxed",
  unavailableReason: (config) => (config.realesrganCommand ? null : "set FANOUT_REALESRGAN_BIN"),
  params: realEsrganParams,
  run,
};
