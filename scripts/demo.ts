/**
 * `pnpm demo`: the README's main command, end to end on this machine.
 *
 * Generates a 20 s 640×360 clip with audio, then runs the real CLI (`ecs-fanout run`, in this
 * process) to upscale it ×2 across 4 tasks on a local ECS endpoint the demo owns, checks the
 * output independently (1280×720, same duration within a frame, audio), checks that no task and
 * no task process is left, and exits non-zero if anything is off. Runs from sources (tsx), no build.
 *
 * `pnpm demo --containers` (or ECS_FANOUT_RUNTIME=container) runs every task as a runc container
 * of the CPU image instead (scripts/build-image.sh builds it; Linux, root, runc and buildah).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, openLocalTarget } from "@ecs-fanout/cli";
import { generateTestVideo, probe } from "@ecs-fanout/video";
import { listTasks } from "ecs-fanout";

const SECONDS = 20;
const TASKS = 4;
const started = performance.now();
const problems: string[] = [];
const work = await mkdtemp(join(tmpdir(), "ecs-fanout-demo-"));
const containers = process.argv.includes("--containers") || process.env["ECS_FANOUT_RUNTIME"] === "container";
const target = await openLocalTarget({ cluster: "demo", ...(containers ? { runtime: "container" } : {}) });
if (containers) console.log(`demo: ${target.notice}`);
try {
  const input = join(work, "clip-640x360.mp4");
  const output = join(work, "clip-1280x720.mp4");
  console.log(`demo: generating a ${SECONDS} s 640×360 clip with audio (testsrc2 + sine)`);
  await generateTestVideo({ output: input, seconds: SECONDS, width: 640, height: 360 });

  const creds = target.local.clientConfig.credentials;
  const argv = [
    "run",
    input,
    "--out",
    output,
    "--scale",
    "2",
    "--tasks",
    String(TASKS),
    "--segment-seconds",
    String(SECONDS / TASKS),
    "--cluster",
    target.cluster,
    "--task-definition",
    target.taskDefinition,
    "--subnets",
    target.subnets.join(","),
  ];
  console.log(
    `demo: ecs-fanout ${argv.map((a) => (a.startsWith(work) ? a.slice(work.length + 1) : a)).join(" ")}`,
  );
  // The CLI talks to the demo's endpoint exactly as it would to AWS: through the SDK's env.
  const code = await main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    home: "",
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: target.local.endpoint,
      AWS_REGION: target.local.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    },
  });
  if (code !== 0) problems.push(`ecs-fanout run exited ${code}`);
  else {
    const [src, out] = await Promise.all([probe(input), probe(output)]);
    if (out.width !== 1280 || out.height !== 720)
      problems.push(`expected 1280×720, got ${out.width}×${out.height}`);
    if (Math.abs(out.durationSeconds - src.durationSeconds) > 1 / src.fps + 0.001) {
      problems.push(`expected ${src.durationSeconds}s ± one frame, got ${out.durationSeconds}s`);
    }
    if (!out.hasAudio) problems.push("expected the source's audio track, got none");
  }

  const left = await listTasks({ cluster: target.cluster, clients: target.clients });
  const running = left.filter((t) => t.lastStatus !== "STOPPED");
  if (running.length > 0)
    problems.push(`expected no task left, got ${running.length} still ${running[0]?.lastStatus}`);
} finally {
  await target.close();
  await rm(work, { recursive: true, force: true });
}
const processes = target.local.runningProcesses();
if (processes > 0) problems.push(`expected no task process left, got ${processes}`);

const total = ((performance.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.error(`\ndemo FAILED after ${total}s:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exitCode = 1;
} else {
  console.log(`\ndemo OK in ${total}s: 1280×720, same duration and audio, no task or process left behind`);
}
