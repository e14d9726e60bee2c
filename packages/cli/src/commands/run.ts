import { existsSync } from "node:fs";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Problem } from "@ecs-fanout/protocol";
import type { VideoInfo } from "@ecs-fanout/video";
import { type BatchRunOptions, findGpuCapacityProvider, type NetworkOptions } from "ecs-fanout";
import { DEFAULT_CLUSTER, gpuCapacityProvider, workerFamily } from "../defaults.js";
import { ExitCode, InterruptedError, RunFailedError, UsageError, VerificationError } from "../errors.js";
import { type CliIo, println } from "../io.js";
import { flagParams, type ProcessorFlags } from "../parse/processor-options.js";
import { normalizeRunOptions, type RunOptions } from "../parse/run-options.js";
import { chooseReporter } from "../progress/choose.js";
import { formatRunReport, type RunReportInput, runReportJson } from "../report/run-report.js";
import { s3ClientFromEnv } from "../s3/client.js";
import type { ObjectFacts } from "../s3/download.js";
import { checkInputObject, checkWritable } from "../s3/preflight.js";
import { s3Uri } from "../s3/uri.js";
import { abortOnSignals } from "../signals.js";
import { gpuStandInEnvironment, gpuStandInNotice } from "../stand-in.js";
import { openAwsTarget } from "../target/aws.js";
import { openLocalTarget } from "../target/local.js";
import type { Target } from "../target/target.js";
import { type UpscaleJob, upscaleVideo } from "../upscale/pipeline.js";
import { writeReport } from "./report.js";

/**
 * Worker processor options for the chosen processor and its flags. SeedVR2 takes a target short
 * side rather than a factor, so it is computed from the input.
 */
export function processorParams(
  options: ProcessorFlags,
  input: Pick<VideoInfo, "width" | "height">,
): Record<string, unknown> {
  const params = flagParams(options);
  if (options.processor !== "seedvr2") return params;
  return { ...params, resolution: Math.min(input.width, input.height) * options.scale };
}

type TargetBatch = UpscaleJob["batch"];

/**
 * The network options from `--subnets`, `--security-groups` and `--public-ip`, or undefined when
 * none was given: the core then uses the default VPC (its default subnets, its default security
 * group and a public IP), so nothing is invented here. Groups and `--public-ip` count without
 * `--subnets` too, since the core applies them to the default VPC's subnets.
 */
export function networkOptions(
  options: Pick<RunOptions, "subnets" | "securityGroups" | "publicIp">,
): NetworkOptions | undefined {
  if (options.subnets) {
    // Subnets the user named: private unless --public-ip, as before the default-VPC fallback.
    return {
      subnets: options.subnets,
      securityGroups: options.securityGroups,
      assignPublicIp: options.publicIp,
    };
  }
  if (options.securityGroups === undefined && !options.publicIp) return undefined;
  // Without --public-ip, leave assignPublicIp to the core: default subnets need one to pull images.
  return { securityGroups: options.securityGroups, assignPublicIp: options.publicIp ? true : undefined };
}

/** The GPU capacity `--gpu` runs on: the one named, else the cluster's own (Managed Instances first). */
async function gpuCapacity(
  options: Pick<RunOptions, "capacityProvider">,
  cluster: string,
  aws: BatchRunOptions["aws"],
): Promise<{ provider: string; managedInstances: boolean; note: string | undefined }> {
  if (options.capacityProvider !== undefined)
    return { provider: options.capacityProvider, managedInstances: false, note: undefined };
  const fallback = gpuCapacityProvider(cluster);
  try {
    const found = await findGpuCapacityProvider({ cluster, aws });
    if (found.chosen)
      return {
        provider: found.chosen.name,
        managedInstances: found.chosen.kind === "MANAGED_INSTANCES",
        note: found.explanation,
      };
    return { provider: fallback, managedInstances: false, note: `${found.explanation}; trying ${fallback}` };
  } catch (error) {
    // An older orchestrator policy lacks DescribeClusters/DescribeCapacityProviders: keep the old default.
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      provider: fallback,
      managedInstances: false,
      note: `could not read the cluster's capacity providers (${why}); trying ${fallback}`,
    };
  }
}

async function openRunTarget(
  options: RunOptions,
  io: CliIo,
): Promise<{ target: Target; batch: TargetBatch }> {
  const cluster = options.cluster ?? DEFAULT_CLUSTER;
  if (options.target.kind === "local") {
    const target = await openLocalTarget({ cluster, gpuInstances: options.gpu ? options.tasks : undefined });
    const gpuEnv = options.gpu ? gpuStandInEnvironment() : undefined;
    // The same search as on AWS, against the local endpoint's providers (Managed Instances first).
    const gpu = options.gpu ? await gpuCapacity(options, cluster, target.aws) : undefined;
    const launch: BatchRunOptions["launch"] = gpu
      ? {
          type: "CAPACITY_PROVIDER",
          capacityProviderStrategy: [{ capacityProvider: gpu.provider, weight: 1 }],
        }
      : options.spot
        ? { type: "FARGATE_SPOT", fallbackToOnDemand: true }
        : { type: "FARGATE" };
    const notices = [target.notice, gpu?.note, options.gpu ? gpuStandInNotice() : undefined];
    return {
      target: { ...target, notice: notices.filter(Boolean).join("\n") },
      batch: {
        cluster,
        taskDefinition: gpu
          ? gpu.managedInstances
            ? `${target.gpuTaskDefinition}-mi`
            : target.gpuTaskDefinition!
          : target.taskDefinition,
        launch,
        // No subnets: the core resolves the endpoint's default VPC, as it would an account's;
        // Managed Instances tasks cannot have a public IP.
        network: gpu?.managedInstances ? { assignPublicIp: false } : undefined,
        overrides: gpuEnv ? { environment: gpuEnv } : undefined,
        // Instances arrive in batches: wait for them (placements refused meanwhile are retried).
        ...(gpu?.managedInstances ? { capacityTimeout: 120_000 } : {}),
        aws: target.aws,
        pollIntervalMs: 250,
      },
    };
  }
  const target = openAwsTarget({ region: options.region, source: options.target.source, env: io.env });
  const gpu = options.gpu ? await gpuCapacity(options, cluster, target.aws) : undefined;
  if (gpu?.managedInstances && options.publicIp)
    throw new UsageError("run options", [
      {
        path: "--public-ip",
        message: `expected no public IP (Managed Instances tasks cannot have one), got --public-ip with ${gpu.provider}`,
      },
    ]);
  const launch: BatchRunOptions["launch"] = gpu
    ? { type: "CAPACITY_PROVIDER", capacityProviderStrategy: [{ capacityProvider: gpu.provider, weight: 1 }] }
    : options.spot
      ? { type: "FARGATE_SPOT", fallbackToOnDemand: true }
      : { type: "FARGATE" };
  const network = networkOptions(options);
  return {
    target: gpu?.note ? { ...target, notice: `${target.notice}\n${gpu.note}` } : target,
    batch: {
      cluster,
      taskDefinition:
        options.taskDefinition ??
        (gpu?.managedInstances ? `${workerFamily(cluster, true)}-mi` : workerFamily(cluster, options.gpu)),
      launch,
      // Managed Instances tasks are awsvpc without a public IP: say so, or the default-VPC fallback adds one.
      network: gpu?.managedInstances ? { ...network, assignPublicIp: false } : network,
      // Managed Instances arrive in batches over minutes: wait up to 15 for them.
      ...(gpu?.managedInstances ? { capacityTimeout: 900_000 } : {}),
      aws: target.aws,
      // A loopback endpoint has no API buckets to share: poll it as often as the in-process one.
      pollIntervalMs: target.loopback ? 250 : undefined,
    },
  };
}

/** Whether the run touches S3 at all: an `s3://` input or output, or `--stage`. */
const usesS3 = (o: RunOptions) =>
  o.source.kind === "s3" || o.destination.kind === "s3" || o.stage !== undefined;

/**
 * Checks every S3 location the run names, together, before anything launches: the input object
 * exists and can be read (and what HeadObject says about it), the output's and the stage's bucket
 * exists and the credentials work. Every problem is listed at once, by flag.
 */
async function checkS3(options: RunOptions, s3: S3Client): Promise<{ input: ObjectFacts | undefined }> {
  const problems: Problem[] = [];
  let input: ObjectFacts | undefined;
  await Promise.all([
    options.source.kind === "s3"
      ? checkInputObject(s3, options.source.location, "<input>").then((r) => {
          if ("problem" in r) problems.push(r.problem);
          else input = r.facts;
        })
      : undefined,
    options.destination.kind === "s3"
      ? checkWritable(s3, options.destination.location, "--out").then((p) => p && problems.push(p))
      : undefined,
    options.stage
      ? checkWritable(s3, options.stage, "--stage").then((p) => p && problems.push(p))
      : undefined,
  ]);
  if (problems.length > 0) throw new UsageError("run arguments", problems);
  return { input };
}

export async function runCommand(input: string, raw: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const options = normalizeRunOptions(input, raw, io);
  const s3 = usesS3(options) ? s3ClientFromEnv(io.env, options.region) : undefined;
  try {
    const facts = s3 ? await checkS3(options, s3) : { input: undefined };
    return await runChecked(options, io, s3 && { client: s3, input: facts.input });
  } finally {
    s3?.destroy();
  }
}

async function runChecked(
  options: RunOptions,
  io: CliIo,
  s3: { client: S3Client; input: ObjectFacts | undefined } | undefined,
): Promise<ExitCode> {
  const reporter = chooseReporter(io, options.json);
  const controller = new AbortController();
  const { target, batch } = await openRunTarget(options, io);
  println(io.stderr, target.notice);
  const removeHandlers = abortOnSignals(
    controller,
    io,
    (line) => reporter.note(line),
    () => "Run `ecs-fanout cleanup --yes` to stop any task left behind.",
  );
  let report: RunReportInput | undefined;
  try {
    const outcome = await upscaleVideo({
      input: options.source,
      output: options.destination,
      s3,
      stage: options.stage ? { prefix: options.stage, keep: options.keepStaged } : undefined,
      scale: options.scale,
      segmentSeconds: options.segmentSeconds,
      tasks: options.tasks,
      params: (info) => ({ ...processorParams(options, info), ...options.params }),
      overlapFrames: options.overlapFrames,
      // A lossless segment output leaves the run's one lossy encode to the join.
      join: { overlap: options.overlapJoin, encode: options.lossless ? "always" : "auto" },
      batch: options.liveness ? { ...batch, liveness: options.liveness } : batch,
      reporter,
      signal: controller.signal,
      keepTemp: options.keepTemp,
      manifest: options.manifest,
      resume: options.resume,
    });
    reporter.stop();
    report = {
      result: outcome.result,
      target: target.notice.split("\n")[0]!,
      input: { path: where(options.source), info: outcome.input, s3: outcome.downloaded },
      output: { path: outcome.outputPath, info: outcome.output, s3: outcome.uploaded },
      timings: outcome.timings,
      problems: outcome.problems,
    };
    const ok = outcome.problems.length === 0;
    if (options.json) println(io.stdout, JSON.stringify(runReportJson(report, ok), null, 2));
    else println(io.stdout, `\n${formatRunReport(report)}`);
    if (!ok) throw new VerificationError(outcome.outputPath, outcome.problems);
    return ExitCode.ok;
  } catch (error) {
    reporter.stop();
    if (controller.signal.aborted && controller.signal.reason instanceof InterruptedError)
      throw controller.signal.reason;
    if (error instanceof RunFailedError && error.result && !report) {
      const failed: RunReportInput = { result: error.result, target: target.notice.split("\n")[0]! };
      if (options.json) println(io.stdout, JSON.stringify(runReportJson(failed, false), null, 2));
      else println(io.stdout, `\n${formatRunReport(failed)}`);
    }
    throw error;
  } finally {
    removeHandlers();
    await target.close();
    await tellWhereTheRecordIs(options, io);
  }
}

const where = (m: RunOptions["source"]) => (m.kind === "s3" ? s3Uri(m.location) : m.path);

/** The run's record, and its HTML report when asked for: written even when the run failed. */
async function tellWhereTheRecordIs(options: RunOptions, io: CliIo): Promise<void> {
  if (!existsSync(options.manifest)) return;
  println(io.stderr, `run record: ${options.manifest}`);
  if (options.report === undefined) return;
  try {
    println(io.stderr, `report: ${await writeReport(options.manifest, options.report)}`);
  } catch (error) {
    println(io.stderr, `report: not written (${error instanceof Error ? error.message : String(error)})`);
  }
}
