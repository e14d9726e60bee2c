/**
 * GPU upscaling with SeedVR2 on an EC2 GPU capacity provider: the same fan-out, with a
 * capacity-provider strategy instead of Fargate and SeedVR2's reference parameters as the
 * processor options. Segments travel without audio; the source's audio goes back in at the end.
 *
 *   pnpm example:gpu-upscale
 *
 * On the local endpoint there is no GPU and no model: the worker runs a stand-in script
 * (@ecs-fanout/cli's stand-ins/gpu-tool.mjs, ffmpeg lanczos) with the exact arguments it would
 * give SeedVR2, and the example says so. On AWS the worker image runs the real inference_cli.py.
 *
 * Environment:
 *   INPUT=<video>             video to upscale (default: a generated 4 s 320×180 clip with audio)
 *   ECS_FANOUT_CLUSTER        selects real AWS; the cluster with the GPU capacity provider
 *   ECS_FANOUT_GPU_PROVIDER   the capacity provider (e.g. an Auto Scaling group of g5.xlarge)
 *   ECS_FANOUT_TASK_DEFINITION the GPU worker (default ecs-fanout-worker-gpu; see container/)
 *   ECS_FANOUT_SUBNETS, ECS_FANOUT_SECURITY_GROUPS   when the GPU task definition uses awsvpc
 *   AWS_REGION / AWS_PROFILE
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gpuStandInEnvironment } from "@ecs-fanout/cli";
import { concatSegments, generateTestVideo, muxAudio, probe, splitVideo } from "@ecs-fanout/video";
import { executeParallelBatches } from "ecs-fanout";
import { exampleTarget } from "./support/target.js";

const TASKS = 2;
const work = await mkdtemp(join(tmpdir(), "example-gpu-"));
const target = await exampleTarget({ gpu: true, tasks: TASKS });
try {
  const input = process.env.INPUT ?? join(work, "input.mp4");
  if (!process.env.INPUT) await generateTestVideo({ output: input, seconds: 4, width: 320, height: 180 });
  const source = await probe(input);
  // SeedVR2 upscales to a target short side; ×2 here.
  const resolution = Math.min(source.width, source.height) * 2;

  const environment = target.kind === "local" ? gpuStandInEnvironment() : {};
  if (target.kind === "local") {
    console.log("no GPU here: SeedVR2 runs as a stand-in script (ffmpeg lanczos) with the same arguments");
  }

  const segments = await splitVideo(input, { outputDir: join(work, "segments"), segmentSeconds: 2 });
  const audio = input; // muxed back from the input itself at the end
  const hasAudio = source.hasAudio;
  const result = await executeParallelBatches({
    segments: segments.map((s) => ({ id: `seg-${s.index}`, input: { path: s.path } })),
    params: {
      processor: "seedvr2",
      model: "3b",
      precision: "fp8_e4m3fn",
      resolution,
      batchSize: 33, // 4n+1 frames per batch; larger needs more GPU memory
      colorCorrection: "lab",
      seed: 42,
      vaeDecodeTiled: true,
    },
    outputDir: join(work, "outputs"),
    cluster: target.cluster,
    taskDefinition: target.taskDefinition,
    launch: target.launch, // { type: "CAPACITY_PROVIDER", capacityProviderStrategy: [{ capacityProvider, weight: 1 }] }
    network: target.network,
    aws: target.aws,
    overrides: { environment, gpu: 1 },
    maxParallelTasks: TASKS,
    segmentsPerBatch: Math.ceil(segments.length / TASKS),
    handleSignals: true,
    timeouts: { segmentMs: 30 * 60_000 }, // a GPU model can take minutes per segment
  });
  if (result.failed > 0)
    throw new Error(`${result.failed} segments failed: ${result.failures[0]?.error?.message}`);

  const byId = new Map(result.segments.map((s) => [s.id, s.outputPath!]));
  const joined = join(work, "joined.mp4");
  const output = join(work, "upscaled.mp4");
  await concatSegments(
    segments.map((s) => byId.get(`seg-${s.index}`)!),
    hasAudio ? joined : output,
  );
  if (hasAudio) await muxAudio({ video: joined, audio, output });
  const out = await probe(output);
  for (const task of result.tasks) {
    console.log(
      `task ${task.taskArn.split("/").pop()} on ${task.capacityProvider ?? task.launchType} (${task.instanceType ?? "?"}): ` +
        `${task.segmentsSucceeded} segments, billed ${task.billedSeconds}s, $${task.costUsd?.toFixed(5) ?? "?"}`,
    );
  }
  console.log(
    `${source.width}×${source.height} → ${out.width}×${out.height}, ${out.durationSeconds.toFixed(2)}s, audio ${out.hasAudio}`,
  );
  if (out.height !== resolution) throw new Error(`expected a ${resolution}p output, got ${out.height}p`);
  console.log("ok");
} finally {
  await target.close();
  await rm(work, { recursive: true, force: true });
}
