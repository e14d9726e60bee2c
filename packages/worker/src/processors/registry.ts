import { checkSchema, expectedGot } from "@ecs-fanout/protocol";
import type { WorkerConfig } from "../config.js";
import { DEFAULT_PROCESSOR, type FanoutParams } from "../protocol.js";
import { ffmpegScale } from "./ffmpeg-scale.js";
import { realEsrgan } from "./realesrgan.js";
import { seedVr2 } from "./seedvr2.js";
import { synthetic } from "./synthetic.js";
import type { Processor } from "./types.js";

/** Every processor this worker knows, enabled or not. */
export const PROCESSORS: readonly Processor<never>[] = [
  ffmpegScale as Processor<never>,
  realEsrgan as Processor<never>,
  seedVr2 as Processor<never>,
  synthetic as Processor<never>,
];

/** The processor with this name, enabled or not; undefined for an unknown name. */
export function findProcessor(name: string): Processor<unknown> | undefined {
  return PROCESSORS.find((p) => p.name === name) as Processor<unknown> | undefined;
}

/** Names of the processors usable with this config (what /v1/info lists). */
export function enabledProcessors(config: WorkerConfig): string[] {
  return PROCESSORS.filter((p) => p.unavailableReason(config) === null).map((p) => p.name);
}

/** A job's processor with its options normalized (defaults applied, validated). */
export interface ResolvedParams {
  processor: Processor<unknown>;
  /** The processor's normalized options, as its `normalize` returned them. */
  options: unknown;
}

/** Picks the processor and normalizes its options; every problem is reported together. */
export function resolveParams(
  params: FanoutParams,
  config: WorkerConfig,
): { ok: true; value: ResolvedParams } | { ok: false; problems: string[] } {
  const { processor: name = DEFAULT_PROCESSOR, ...raw } = params;
  const processor = findProcessor(name);
  if (!processor) {
    const known = PROCESSORS.map((p) => JSON.stringify(p.name)).join(", ");
    return { ok: false, problems: [`processor: ${expectedGot(`one of ${known}`, name)}`] };
  }
  const problems: string[] = [];
  const unavailable = processor.unavailableReason(config);
  if (unavailable) {
    problems.push(`processor: ${expectedGot(`a processor enabled on this worker (${unavailable})`, name)}`);
  }
  const checked = checkSchema(processor.params, raw);
  if (!checked.ok)
    problems.push(...checked.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)));
  if (problems.length > 0 || !checked.ok) return { ok: false, problems };
  return { ok: true, value: { processor, options: checked.value } };
}
