import path from "node:path";
import { OptionReader } from "./options.js";
import type { Normalized, Processor, ProcessorContext } from "./types.js";
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

/** Parameters of SeedVR2's `inference_cli.py`, with the defaults of its reference container. */
export interface SeedVr2Options {
  /** @default "7b" */
  model: "3b" | "7b";
  /** DiT weights precision; picks `seedvr2_ema_<model>_<precision>.safetensors`. @default "fp16" */
  precision: "fp16" | "fp8_e4m3fn";
  /** Target short side in pixels. @default 1080 */
  resolution: number;
  /** Cap for any edge, 0 = none. @default 0 */
  maxResolution: number;
  /** @default 42 */
  seed: number;
  /** @default "lab" */
  colorCorrection: (typeof SEEDVR2_COLOR_CORRECTIONS)[number];
  /** Frames per batch, must be 4n+1. @default 129 */
  batchSize: number;
  /** Pad the last batch to batchSize. @default false */
  uniformBatchSize: boolean;
  /** @default "sdpa" */
  attentionMode: (typeof SEEDVR2_ATTENTION_MODES)[number];
  /** @default false */
  vaeEncodeTiled: boolean;
  /** @default false */
  vaeDecodeTiled: boolean;
  vaeEncodeTileSize?: number;
  vaeDecodeTileSize?: number;
  /** Frames blended between batches. @default 0 */
  temporalOverlap: number;
  /** Reversed frames prepended to reduce start artifacts. @default 0 */
  prependFrames: number;
  /** @default false */
  cacheDit: boolean;
  /** @default false */
  cacheVae: boolean;
  /** @default false */
  debug: boolean;
}

export function normalizeSeedVr2(raw: Record<string, unknown>): Normalized<SeedVr2Options> {
  const read = new OptionReader(raw);
  const batchSize = read.number("batchSize", { min: 1, max: 4097, integer: true }) ?? 129;
  const options: SeedVr2Options = {
    model: read.oneOf("model", ["3b", "7b"] as const) ?? "7b",
    precision: read.oneOf("precision", ["fp16", "fp8_e4m3fn"] as const) ?? "fp16",
    resolution: read.number("resolution", { min: 16, max: 8640, integer: true }) ?? 1080,
    maxResolution: read.number("maxResolution", { min: 0, max: 16384, integer: true }) ?? 0,
    seed: read.number("seed", { min: 0, max: 2 ** 32 - 1, integer: true }) ?? 42,
    colorCorrection: read.oneOf("colorCorrection", SEEDVR2_COLOR_CORRECTIONS) ?? "lab",
    batchSize,
    uniformBatchSize: read.boolean("uniformBatchSize") ?? false,
    attentionMode: read.oneOf("attentionMode", SEEDVR2_ATTENTION_MODES) ?? "sdpa",
    vaeEncodeTiled: read.boolean("vaeEncodeTiled") ?? false,
    vaeDecodeTiled: read.boolean("vaeDecodeTiled") ?? false,
    vaeEncodeTileSize: read.number("vaeEncodeTileSize", { min: 64, max: 8192, integer: true }),
    vaeDecodeTileSize: read.number("vaeDecodeTileSize", { min: 64, max: 8192, integer: true }),
    temporalOverlap: read.number("temporalOverlap", { min: 0, max: 64, integer: true }) ?? 0,
    prependFrames: read.number("prependFrames", { min: 0, max: 64, integer: true }) ?? 0,
    cacheDit: read.boolean("cacheDit") ?? false,
    cacheVae: read.boolean("cacheVae") ?? false,
    debug: read.boolean("debug") ?? false,
  };
  read.finish();
  if (batchSize % 4 !== 1) {
    read.addProblem(`batchSize: expected 4n+1 (1, 5, 9, …, 129), got ${batchSize}`);
  }
  if (options.temporalOverlap >= batchSize && options.temporalOverlap > 0) {
    read.addProblem(
      `temporalOverlap: expected less than batchSize ${batchSize}, got ${options.temporalOverlap}`,
    );
  }
  if (options.vaeEncodeTileSize !== undefined && !options.vaeEncodeTiled) {
    read.addProblem("vaeEncodeTileSize: expected vaeEncodeTiled: true alongside, got it without");
  }
  if (options.vaeDecodeTileSize !== undefined && !options.vaeDecodeTiled) {
    read.addProblem("vaeDecodeTileSize: expected vaeDecodeTiled: true alongside, got it without");
  }
  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  return { ok: true, options };
}

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
  normalize: normalizeSeedVr2,
  run,
};
