/**
 * Upscale a video ×2 across parallel ECS tasks with the library: split it into exact segments,
 * fan them out with executeParallelBatches, concatenate the results in order, put the source
 * audio back and check the result. The programmatic version of `pnpm demo`.
 *
 *   pnpm example:upscale-video
 *
 * Environment:
 *   INPUT=<video>         video to upscale (default: a generated 4 s 480×270 clip with audio)
 *   OUTPUT=<file.mp4>     where to write it (default: a temporary directory)
 *   TASKS=<n>             most tasks at once (default 2)
 *   ECS_FANOUT_CLUSTER, ECS_FANOUT_TASK_DEFINITION, ECS_FANOUT_SUBNETS, ECS_FANOUT_SECURITY_GROUPS,
 *   ECS_FANOUT_PUBLIC_IP=1, AWS_REGION / AWS_PROFILE
 *                         run on real AWS (see support/target.ts); without ECS_FANOUT_CLUSTER
 *                         the example runs on the local ECS endpoint in this process.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { concatSegments, generateTestVideo, muxAudio, probe, splitVideo } from "@ecs-fanout/video";
import { executeParallelBatches } from "ecs-fanout";
import { exampleTarget } from "./support/target.js";

const work = await mkdtemp(join(tmpdir(), "example-upscale-"));
const target = await exampleTarget();
try {
  const input = process.env.INPUT ?? join(work, "input.mp4");
  if (!process.env.INPUT) await generateTestVideo({ output: input, seconds: 4, width: 480, height: 270 });
  const output = process.env.OUTPUT ?? join(work, "upscaled.mp4");
  const tasks = Number(process.env.TASKS ?? 2);
  const source = await probe(input);

  // Exact segments: lossless and cut to the frame, no audio (it travels separately).
  const segments = await splitVideo(input, { outputDir: join(work, "segments"), segmentSeconds: 2 });
  const hasAudio = source.hasAudio; // muxed back from the input itself at the end

  const result = await executeParallelBatches({
    segments: segments.map((s) => ({ id: `seg-${s.index}`, input: { path: s.path } })),
    params: { processor: "ffmpeg-scale", scale: 2, preset: "veryfast" },
    outputDir: join(work, "outputs"),
    cluster: target.cluster,
    taskDefinition: target.taskDefinition,
    launch: target.launch,
    network: target.network,
    aws: target.aws,
    maxParallelTasks: tasks,
    segmentsPerBatch: Math.ceil(segments.length / tasks),
    handleSignals: true, // Ctrl-C stops every task before the process exits
    onEvent: (e) => {
      if (e.type === "segment.downloaded")
        console.log(`  ${e.segmentId} done on ${e.taskArn.split("/").pop()}`);
    },
  });
  if (result.failed > 0)
    throw new Error(`${result.failed} segments failed: ${result.failures[0]?.error?.message}`);

  // Outputs in segment order, not completion order.
  const byId = new Map(result.segments.map((s) => [s.id, s.outputPath!]));
  const joined = join(work, "joined.mp4");
  await concatSegments(
    segments.map((s) => byId.get(`seg-${s.index}`)!),
    hasAudio ? joined : output,
  );
  if (hasAudio) await muxAudio({ video: joined, audio: input, output });

  const out = await probe(output);
  const frame = 1 / source.fps;
  const ok =
    out.width === source.width * 2 &&
    out.height === source.height * 2 &&
    Math.abs(out.durationSeconds - source.durationSeconds) <= frame + 0.001 &&
    out.hasAudio === source.hasAudio;
  const m = result.metrics;
  console.log(
    `${source.width}×${source.height} → ${out.width}×${out.height}, ${out.durationSeconds.toFixed(2)}s, audio ${out.hasAudio}`,
  );
  console.log(
    `${result.tasksLaunched} tasks, wall ${m.wallSeconds.toFixed(1)}s, speedup ${m.speedupFactor.toFixed(2)}×, ` +
      `cost $${m.totalCostUsd?.toFixed(5) ?? "?"} (${target.kind === "local" ? "what it would cost on Fargate" : "AWS"})`,
  );
  if (!ok) throw new Error("the output does not match the input (size, duration or audio)");
  console.log(process.env.OUTPUT ? `wrote ${output}` : "ok");
} finally {
  await target.close();
  await rm(work, { recursive: true, force: true });
}
