#!/usr/bin/env node
// Stand-in for the GPU upscalers (SeedVR2's inference_cli.py, Real-ESRGAN's video script) on the
// local endpoint, where there is no GPU and no model: it takes the same arguments the worker
// passes to the real tool and scales with ffmpeg (lanczos) instead. Output shape matches the tool:
// video only, H.264, at the size the real tool would produce. Never used on AWS.
//
//   gpu-tool.mjs seedvr2 <input> --output <file> --resolution <short side> [other SeedVR2 flags]
//   gpu-tool.mjs realesrgan -i <input> -o <dir> -s <scale> [other Real-ESRGAN flags]
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";

const [tool, ...args] = process.argv.slice(2);

function flag(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function fail(message) {
  process.stderr.write(`gpu-tool stand-in: ${message}\n`);
  process.exit(2);
}

let input;
let output;
let scaleFilter;
if (tool === "seedvr2") {
  input = args[0];
  output = flag("--output");
  const resolution = Number(flag("--resolution"));
  if (!input || !output || !(resolution > 0)) fail("expected <input> --output <file> --resolution <n>");
  // SeedVR2's --resolution is the target short side.
  scaleFilter = `scale='if(gt(iw,ih),-2,${resolution})':'if(gt(iw,ih),${resolution},-2)':flags=lanczos`;
} else if (tool === "realesrgan") {
  input = flag("-i");
  const dir = flag("-o");
  const scale = Number(flag("-s"));
  if (!input || !dir || !(scale > 0)) fail("expected -i <input> -o <dir> -s <scale>");
  mkdirSync(dir, { recursive: true });
  output = join(dir, `${basename(input, extname(input))}_out.mp4`);
  scaleFilter = `scale=trunc(iw*${scale}/2)*2:trunc(ih*${scale}/2)*2:flags=lanczos`;
} else {
  fail(`expected "seedvr2" or "realesrgan" as the first argument, got ${JSON.stringify(tool)}`);
}

process.stderr.write(`${tool} stand-in (no GPU here): scaling with ffmpeg lanczos instead of the model\n`);
process.stderr.write("inference:   0%| | 0/1 [00:00<?, ?it/s]\n");
const ffmpeg = process.env.FFMPEG_PATH || "ffmpeg";
const child = spawn(
  ffmpeg,
  [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-i",
    input,
    "-an",
    "-vf",
    scaleFilter,
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "18",
    "-pix_fmt",
    "yuv420p",
    output,
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);
const forward = (signal) => child.kill(signal);
process.on("SIGTERM", forward);
process.on("SIGINT", forward);
child.on("error", (error) => fail(`could not run ${ffmpeg}: ${error.message}`));
child.on("close", (code, signal) => {
  if (code === 0) process.stderr.write("inference: 100%|█| 1/1 [00:01<00:00, 1.00it/s]\n");
  process.exit(code ?? (signal ? 1 : 0));
});
