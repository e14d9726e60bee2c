import path from "node:path";
import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import type { Processor, ProcessorContext } from "./types.js";
import { runVideoTool } from "./video-tool.js";

/** Values SeedVR2 accepts for `colorCorrection`. */
export const SEEDVR2_COLOR_CORRECTIONS = [
  "lab",
  "wavelet",
  "wavelet_adaptive",
  "hsv",
  "adain",
  "none",
] as const;
/** Values SeedVR2 accepts for `attentionMode`. */
export const SEEDVR2_ATTENTION_MODES = [
  "sdpa",
  "flash_attn",
  "flash_attn_2",
  "flash_attn_3",
  "sageattn_2",
  "sageattn_3",
] as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** Params of SeedVR2's `inference_cli.py`, defaults as its container's; strict. */
export const seedVr2Params = z
  .strictObject({
    /** @default "7b" */
    model: z.enum(["3b", "7b"]).default("7b"),
    /** DiT weights precision; picks `seedvr2_ema_<model>_<precision>.safetensors`. @default "fp16" */
    precision: z.enum(["fp16", "fp8_e4m3fn"]).default("fp16"),
    /** Target short side in pixels. @default 1080 */
    resolution: int(16, 8640).default(1080),
    /** Cap for any edge, 0 = none. @default 0 */
    maxResolution: int(0, 16384).default(0),
    /** @default 42 */
    seed: int(0, 2 ** 32 - 1).default(42),
    /** @default "lab" */
    colorCorrection: z.enum(SEEDVR2_COLOR_CORRECTIONS).default("lab"),
    /** Frames per batch, must be 4n+1. @default 129 */
    batchSize: int(1, 4097)
      .refine((n) => n % 4 === 1, { error: (issue) => expectedGot("4n+1 (1, 5, 9, …, 129)", issue.input) })
      .default(129),
    /** Pad the last batch to batchSize. @default false */
    uniformBatchSize: z.boolean().default(false),
    /** @default "sdpa" */
    attentionMode: z.enum(SEEDVR2_ATTENTION_MODES).default("sdpa"),
    /** @default false */
    vaeEncodeTiled: z.boolean().default(false),
    /** @default false */
    vaeDecodeTiled: z.boolean().default(false),
    vaeEncodeTileSize: int(64, 8192).optional(),
    vaeDecodeTileSize: int(64, 8192).optional(),
    /** Frames blended between batches. @default 0 */
    temporalOverlap: int(0, 64).default(0),
    /** Reversed frames prepended to reduce start artifacts. @default 0 */
    prependFrames: int(0, 64).default(0),
    /** @default false */
    cacheDit: z.boolean().default(false),
    /** @default false */
    cacheVae: z.boolean().default(false),
    /** @default false */
    debug: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    const issue = (key: string, expected: string, got: unknown) =>
      ctx.addIssue({ code: "custom", path: [key], message: expectedGot(expected, got) });
    if (o.temporalOverlap > 0 && o.temporalOverlap >= o.batchSize) {
      issue("temporalOverlap", `less than batchSize ${o.batchSize}`, o.temporalOverlap);
    }
    if (o.vaeEncodeTileSize !== undefined && !o.vaeEncodeTiled) {
      issue("vaeEncodeTileSize", "vaeEncodeTiled: true alongside", "it without");
    }
    if (o.vaeDecodeTileSize !== undefined && !o.vaeDecodeTiled) {
      issue("vaeDecodeTileSize", "vaeDecodeTiled: true alongside", "it without");
    }
  });

/** SeedVR2's options after defaults are applied. */
export type SeedVr2Options = z.output<typeof seedVr2Params>;

/** argv after the configured command (`python3 inference_cli.py`). */
export function seedVr2Args(input: string, output: string, modelDir: string, o: SeedVr2Options): string[] {
  const flag = (on: boolean, name: string) => (on ? [name] : []);
  const value = (v: number | undefined, name: string) => (v !== undefined ? [name, String(v)] : []);
  return [
    input,
    "--output",
    output,
    "--output_format",
    "mp4",
    "--model_dir",
    modelDir,
    "--dit_model",
    `seedvr2_ema_${o.model}_${o.precision}.safetensors`,
    "--resolution",
    String(o.resolution),
    ...(o.maxResolution > 0 ? ["--max_resolution", String(o.maxResolution)] : []),
    "--batch_size",
    String(o.batchSize),
    ...flag(o.uniformBatchSize, "--uniform_batch_size"),
    "--seed",
    String(o.seed),
    "--color_correction",
    o.colorCorrection,
    "--attention_mode",
    o.attentionMode,
    "--temporal_overlap",
    String(o.temporalOverlap),
    ...(o.prependFrames > 0 ? ["--prepend_frames", String(o.prependFrames)] : []),
    ...flag(o.vaeEncodeTiled, "--vae_encode_tiled"),
    ...value(o.vaeEncodeTileSize, "--vae_encode_tile_size"),
    ...flag(o.vaeDecodeTiled, "--vae_decode_tiled"),
    ...value(o.vaeDecodeTileSize, "--vae_decode_tile_size"),
    ...flag(o.cacheDit, "--cache_dit"),
    ...flag(o.cacheVae, "--cache_vae"),
    ...flag(o.debug, "--debug"),
  ];
}

async function run(ctx: ProcessorContext<SeedVr2Options>) {
  const command = ctx.config.seedvr2Command;
  if (!command) throw new Error("seedvr2 is not configured");
  // SeedVR2 writes video only (OpenCV); runVideoTool puts the source audio back.
  const video = path.join(ctx.scratchDir, "seedvr2.mp4");
  return runVideoTool(ctx, {
    tool: "seedvr2",
    argv: [...command, ...seedVr2Args(ctx.inputPath, video, ctx.config.modelDir, ctx.options)],
    video,
  });
}

/** Diffusion video upscale with SeedVR2 on a GPU; enabled by FANOUT_SEEDVR2_CMD. */
export const seedVr2: Processor<SeedVr2Options> = {
  name: "seedvr2",
  description: "GPU upscale with SeedVR2 (3B/7B diffusion), source audio re-muxed",
  unavailableReason: (config) => (config.seedvr2Command ? null : "set FANOUT_SEEDVR2_CMD"),
  params: seedVr2Params,
  run,
};
