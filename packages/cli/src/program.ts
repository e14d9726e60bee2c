import { Command, CommanderError } from "commander";
import { ExitCode } from "./errors.js";
import type { CliIo } from "./io.js";
import { defaultHelp } from "./parse/flags.js";
import { localFlags } from "./parse/local-options.js";
import { API_OPTIONS, PROCESSORS, runFlags } from "./parse/run-options.js";
import { CLI_VERSION } from "./version.js";

/**
 * The command tree. Values stay strings here and carry no defaults: each command validates its
 * option object once with its schema (src/parse/), which owns every default and reports every
 * problem together rather than commander's first one. Each command's module is
 * imported when it runs, so `cost` or `--help` does not first load the local endpoint, the ffmpeg
 * helpers and every AWS client. Actions hand their exit code to `setExit`; `main` maps errors.
 * (`run`'s schema does load the video and worker packages and `ecs-fanout/options`, for their
 * option schemas: loading them starts nothing.)
 */
export function createProgram(io: CliIo, setExit: (code: ExitCode) => void): Command {
  const program = new Command("ecs-fanout")
    .description(
      "Fan video segments out over many ECS tasks, stream the results back, leave no task running.",
    )
    .version(CLI_VERSION, "-V, --version")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .allowExcessArguments(false);

  const run = runFlags.shape;
  const api = API_OPTIONS;
  program
    .command("run")
    .description("split a video, upscale the segments on parallel ECS tasks, reassemble, verify, report")
    .argument("<input>", "video to upscale: a file or s3://bucket/key")
    .option(
      "-o, --out <file|s3://…>",
      "output video (.mp4, .m4v, .mov, .mkv), a file or s3://bucket/key; required",
    )
    .option("--scale <n>", `upscale factor: 2, 3 or 4${defaultHelp(run.scale)}`)
    .option("--tasks <n>", `most tasks running at once${defaultHelp(run.tasks)}`)
    .option("--segment-seconds <s>", `length of each segment in seconds${defaultHelp(run.segmentSeconds)}`)
    .option(
      "--processor <name>",
      `what each task runs: ${PROCESSORS.join(", ")}${defaultHelp(run.processor)}`,
    )
    .option(
      "--params <json>",
      "extra processor options as a JSON object, e.g. '{\"crf\":20}', checked with the processor's own rules",
    )
    .option(
      "--overlap-frames <n>",
      `context frames added on each side of every segment, so a temporal processor sees its neighbours; the join removes them${defaultHelp(api.overlapFrames)}`,
    )
    .option(
      "--overlap-join <trim|crossfade>",
      `what the join does with the context frames: trim drops them, crossfade blends each overlap from one segment into the next (for temporal models)${defaultHelp(run.overlapJoin)}`,
    )
    .option(
      "--temporal <tmix|hqdn3d>",
      "ffmpeg-scale: a temporal filter after the scale, so each frame depends on its neighbours (a CPU stand-in for a temporal model; default: none)",
    )
    .option(
      "--lossless",
      "ffmpeg-scale: the tasks encode their segments losslessly, so the join's encode is the run's only lossy one (default: off)",
    )
    .option(
      "--temporal-overlap <n>",
      `seedvr2: frames blended between its batches${defaultHelp(api.temporalOverlap)}`,
    )
    .option(
      "--liveness-interval <ms>",
      `how often each task's worker is checked for an answer${defaultHelp(api.livenessInterval)}`,
    )
    .option(
      "--liveness-timeout <ms>",
      `how long one check may take before it counts as failed${defaultHelp(api.livenessTimeout)}`,
    )
    .option(
      "--liveness-failures <n>",
      `failed checks in a row after which a task is given up on, its work requeued and a replacement launched${defaultHelp(api.livenessFailures)}`,
    )
    .option("--cluster <name>", "ECS cluster (default: ecs-fanout)")
    .option(
      "--task-definition <family[:rev]|arn>",
      "worker task definition (AWS only; default: <cluster>-worker-cpu, or -gpu)",
    )
    .option(
      "--subnets <ids>",
      "comma-separated subnet ids for awsvpc tasks (AWS only; default: the default VPC's subnets)",
    )
    .option(
      "--security-groups <ids>",
      "comma-separated security group ids (AWS only; default: the VPC's default group)",
    )
    .option(
      "--public-ip",
      "give tasks a public IP and talk to them over it (the orchestrator runs outside the VPC)",
    )
    .option("--region <region>", "AWS region (default: the SDK's configuration)")
    .option("--spot", "launch on FARGATE_SPOT, falling back to on-demand when Spot has no capacity")
    .option("--gpu", "run on the cluster's GPU capacity provider (implied by realesrgan and seedvr2)")
    .option(
      "--capacity-provider <name>",
      "GPU capacity provider (AWS only; default: gpu-<cluster>; implies --gpu)",
    )
    .option("--local", "use an in-process local ECS endpoint instead of AWS")
    .option("--json", "print one machine-readable result on stdout and no progress")
    .option("--keep-temp", "keep the segment files for inspection")
    .option(
      "--stage <s3://bucket/prefix/>",
      "move segments through S3: stage them there for the tasks, which write their outputs there too",
    )
    .option("--keep-staged", "leave the staged segments and outputs in S3 (with --stage)")
    .option(
      "--manifest <file>",
      "where the run's record goes (JSON lines; default: <out>.run.jsonl, or ./<name>.run.jsonl for s3://)",
    )
    .option("--resume", "resume an interrupted or failed run: reuse the outputs its record proves done")
    .option("--report <file.html>", "write the run's HTML report (task stream, concurrency, cost) here")
    .action(async (input: string, options: Record<string, unknown>) => {
      setExit(await (await import("./commands/run.js")).runCommand(input, options, io));
    });

  program
    .command("report")
    .description("render a run's record (its manifest) as one self-contained HTML page")
    .argument("<manifest>", "the run's manifest (<out>.run.jsonl, or ecs-fanout-manifest.jsonl in outputDir)")
    .requiredOption("-o, --out <file.html>", "the HTML file to write")
    .action(async (manifest: string, options: Record<string, unknown>) => {
      setExit(await (await import("./commands/report.js")).reportCommand(manifest, options, io));
    });

  program
    .command("ls")
    .description("list the tasks ecs-fanout started and that are still running")
    .option("--cluster <name>", "ECS cluster (default: ecs-fanout)")
    .option("--run-id <id>", "only the tasks of this run")
    .option("--started-by <value>", "the startedBy value runs used (default: ecs-fanout)")
    .option("--local", "use an in-process local ECS endpoint instead of AWS")
    .option("--json", "print the tasks as JSON")
    .action(async (options: Record<string, unknown>) => {
      setExit(await (await import("./commands/ls.js")).lsCommand(options, io));
    });

  program
    .command("cleanup")
    .description("stop running tasks that carry ecs-fanout's startedBy and managed-by tag")
    .option("--older-than <duration>", "only tasks started more than this long ago (90s, 30m, 2h, 1h30m)")
    .option("--run-id <id>", "only the tasks of this run")
    .option("--cluster <name>", "ECS cluster (default: ecs-fanout)")
    .option("--started-by <value>", "the startedBy value runs used (default: ecs-fanout)")
    .option("--dry-run", "show what would be stopped, stop nothing")
    .option("-y, --yes", "stop without asking")
    .option("--local", "use an in-process local ECS endpoint instead of AWS")
    .option("--json", "print the outcome as JSON")
    .action(async (options: Record<string, unknown>) => {
      setExit(await (await import("./commands/cleanup.js")).cleanupCommand(options, io));
    });

  program
    .command("cost")
    .description("estimate what N tasks of a size cost for a while, from the shipped price table")
    .option("--tasks <n>", "number of tasks (default: 1)")
    .option("--cpu <vcpu>", "vCPU per task (Fargate: 0.25, 0.5, 1, 2, 4, 8, 16)")
    .option("--memory <gb>", "memory per task in GB")
    .option("--minutes <m>", "how long each task runs")
    .option("--spot", "price as Fargate Spot")
    .option("--arch <arch>", "x86_64 or arm64 (default: x86_64)")
    .option(
      "--instance-type <type>",
      "price EC2 GPU tasks on this instance type instead of Fargate (g5.xlarge, …)",
    )
    .option("--region <region>", "region of the price table (default: AWS_REGION, else us-east-1)")
    .option("--json", "print the estimate as JSON")
    .action(async (options: Record<string, unknown>) => {
      setExit(await (await import("./commands/cost.js")).costCommand(options, io));
    });

  program
    .command("local")
    .description("run the local ECS endpoint in the foreground and print the environment to export")
    .option("--port <n>", `port to listen on, 0 for any free one${defaultHelp(localFlags.shape.port)}`)
    .option(
      "--cluster <name>",
      `cluster to create, with its worker task definitions${defaultHelp(localFlags.shape.cluster)}`,
    )
    .action(async (options: Record<string, unknown>) => {
      setExit(await (await import("./commands/local.js")).localCommand(options, io));
    });

  return program;
}

/** Help and version asked for exit 0; everything else commander rejects is a usage error. */
export function commanderExitCode(error: CommanderError): ExitCode {
  return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
}

export { CommanderError };
