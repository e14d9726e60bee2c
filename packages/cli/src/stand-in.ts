import { fileURLToPath } from "node:url";

/**
 * The stand-in for the GPU tools on the local endpoint (no GPU, no model there). It ships with the
 * package next to `src/` and `dist/`, so one relative URL finds it from either.
 */
export const GPU_STAND_IN_PATH = fileURLToPath(new URL("../stand-ins/gpu-tool.mjs", import.meta.url));

/** Quotes an argv word for the worker's command splitter (double quotes, backslash escapes). */
function quote(word: string): string {
  return /^[\w./:@=+-]+$/.test(word) ? word : `"${word.replace(/(["\\])/g, "\\$1")}"`;
}

/** Worker environment that points SeedVR2 and Real-ESRGAN at the stand-in. */
export function gpuStandInEnvironment(
  node = process.execPath,
  script = GPU_STAND_IN_PATH,
): Record<string, string> {
  const base = `${quote(node)} ${quote(script)}`;
  return { FANOUT_SEEDVR2_CMD: `${base} seedvr2`, FANOUT_REALESRGAN_BIN: `${base} realesrgan` };
}

export function gpuStandInNotice(): string {
  return "no GPU on the local endpoint: SeedVR2/Real-ESRGAN run as a stand-in script (ffmpeg lanczos), not the models";
}
