import { checkSchema, expectedGot } from "@ecs-fanout/protocol";
import { ffmpegScaleParams, realEsrganParams, seedVr2Params } from "@ecs-fanout/worker";
import type { z } from "zod";
import type { ProcessorName } from "./run-options.js";

/**
 * The worker processors' options the CLI sets from its own flags, and the check of the whole
 * processor options (flags and `--params` together) with the processor's own schema, the one the
 * worker applies: a value the worker would refuse stops the run before any task is launched.
 */

/** Each processor's options schema, as the worker validates a job's params. */
const SCHEMAS: Readonly<Record<ProcessorName, z.ZodType>> = {
  "ffmpeg-scale": ffmpegScaleParams,
  realesrgan: realEsrganParams,
  seedvr2: seedVr2Params,
};

/** The flags that set a processor option: run option key → the option it sets, and whose it is. */
export const PROCESSOR_FLAGS = {
  temporal: { processor: "ffmpeg-scale", option: "temporal" },
  lossless: { processor: "ffmpeg-scale", option: "lossless" },
  temporalOverlap: { processor: "seedvr2", option: "temporalOverlap" },
} as const satisfies Record<string, { processor: ProcessorName; option: string }>;

type FlagKey = keyof typeof PROCESSOR_FLAGS;

/** What the processor options are made of: the run's flags as validated one by one. */
export interface ProcessorFlags {
  processor: ProcessorName;
  scale: 2 | 3 | 4;
  temporal?: "tmix" | "hqdn3d" | undefined;
  lossless: boolean;
  temporalOverlap?: number | undefined;
}

/** Whether a flag was given: a switch that is on, or any value. */
const given = (o: ProcessorFlags, key: FlagKey) => o[key] !== undefined && o[key] !== false;

/**
 * The processor's options the flags set, `processor` included; nothing that depends on the input
 * (SeedVR2's target resolution is added once the input is probed). A lossless encode uses
 * x264's fastest preset: with `-qp 0` the preset changes speed and size, never the pixels.
 */
export function flagParams(o: ProcessorFlags): Record<string, unknown> {
  switch (o.processor) {
    case "ffmpeg-scale":
      return {
        processor: "ffmpeg-scale",
        scale: o.scale,
        preset: o.lossless ? "ultrafast" : "veryfast",
        ...(o.temporal !== undefined ? { temporal: o.temporal } : {}),
        ...(o.lossless ? { lossless: true } : {}),
      };
    case "realesrgan":
      return { processor: "realesrgan", scale: o.scale };
    case "seedvr2":
      return {
        processor: "seedvr2",
        ...(o.temporalOverlap !== undefined ? { temporalOverlap: o.temporalOverlap } : {}),
      };
  }
}

/** A problem for the run's schema: its path is a run option key, spelled as a flag later. */
export interface ParamsIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Problems of the processor options: a processor flag given for another processor, then the
 * whole options (the flags' and `--params`, merged as the worker gets them) through the
 * processor's schema. A problem with an option a flag set is that flag's; any other is
 * `--params`'s, at its key.
 */
export function processorParamsIssues(o: ProcessorFlags, params: Record<string, unknown>): ParamsIssue[] {
  const issues: ParamsIssue[] = [];
  for (const [key, flag] of Object.entries(PROCESSOR_FLAGS) as [
    FlagKey,
    (typeof PROCESSOR_FLAGS)[FlagKey],
  ][]) {
    if (given(o, key) && flag.processor !== o.processor)
      issues.push({
        path: [key],
        message: expectedGot(`--processor ${flag.processor} (the flag sets its ${flag.option})`, o.processor),
      });
  }
  // `processor` is the CLI's own choice (`--processor`), not one of the processor's options.
  const options: Record<string, unknown> = { ...flagParams(o), ...params };
  delete options["processor"];
  const checked = checkSchema(SCHEMAS[o.processor], options);
  if (checked.ok) return issues;
  const flagOf = new Map<string, FlagKey>(
    (Object.keys(PROCESSOR_FLAGS) as FlagKey[]).map((key) => [PROCESSOR_FLAGS[key].option, key]),
  );
  for (const problem of checked.problems) {
    // Processor options are flat: a problem's path is the option's key, or "" for the whole.
    const key = flagOf.get(problem.path);
    if (key !== undefined && given(o, key) && !(problem.path in params))
      issues.push({ path: [key], message: problem.message });
    else if (/^[A-Za-z_$][\w$]*$/.test(problem.path))
      issues.push({ path: ["params", problem.path], message: problem.message });
    else
      issues.push({
        path: ["params"],
        message: problem.path ? `${problem.path}: ${problem.message}` : problem.message,
      });
  }
  return issues;
}
