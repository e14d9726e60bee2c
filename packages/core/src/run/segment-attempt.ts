import { join } from "node:path";
import { logTail } from "../ecs/logs.js";
import { FanoutError, JobFailedError, TaskLostError, WorkerError } from "../errors.js";
import { abortable, anySignal } from "../util/abort.js";
import type { WorkerClient } from "../worker/client.js";
import { downloadVerified, hashFile } from "../worker/download.js";
import { type JobStatus, jobIdFor } from "../worker/protocol.js";
import type { FleetTask } from "./fleet-task.js";
import { type ActiveAttempt, SegmentRequeued, type SegmentState, SegmentTakenBack } from "./queue.js";
import type { RunState } from "./run-state.js";
import { landOutputInS3, OUTPUT_PART_BYTES, presignInput, type RunS3, s3InputOf } from "./s3-attempt.js";
import type { SegmentOutput } from "./segment-output.js";

/** Seconds one status long poll may wait on the worker. */
const LONG_POLL_SECONDS = 20;
/**
 * While a job runs, the long poll returns only on a status change, so it is cut short to sample
 * progress; a finished job still answers at once.
 */
const PROGRESS_POLL_SECONDS = 2;

/** Whether a failed attempt was the task's fault (requeue elsewhere, maybe replace the task) or the segment's. */
export type AttemptBlame = "task" | "draining" | "segment";

/** Decides who is to blame for a failed attempt (by error class and HTTP status, never by message). */
export function blameOf(error: unknown, taskGone: boolean): AttemptBlame {
  if (taskGone) return "task";
  if (error instanceof WorkerError) {
    const status = error.statusCode;
    if (status === undefined) return "task";
    // S3 refused or failed a presigned request the worker made: the URLs' or S3's fault, not the task's.
    if (status === 502 && error.workerCode?.startsWith("S3_")) return "segment";
    if (status === 503) return "draining";
    if (status === 401 || status === 404 || status === 507 || status >= 500) return "task";
    return "segment";
  }
  return "segment";
}

function requireS3(s3: RunS3 | undefined): RunS3 {
  if (s3 === undefined)
    throw new FanoutError("S3_UNCONFIGURED", "the run has no S3 client for its S3 segments");
  return s3;
}

const messageOf = (error: unknown): { code: string; message: string } => {
  // S3's refusal as the worker relayed it (S3_FORBIDDEN, S3_UNAVAILABLE …) says more than WORKER_ERROR.
  if (error instanceof WorkerError && error.workerCode?.startsWith("S3_"))
    return { code: error.workerCode, message: error.message };
  if (error instanceof FanoutError) return { code: error.code, message: error.message };
  if (error instanceof Error && error.name === "TimeoutError")
    return { code: "TIMEOUT", message: `segment attempt timed out` };
  return { code: "UNKNOWN", message: error instanceof Error ? error.message : String(error) };
};

/** Upload → long-poll → verified download → DELETE, for one attempt of one segment on one task. */
export async function attemptSegment(
  run: RunState,
  task: FleetTask,
  client: WorkerClient,
  state: SegmentState,
  taskSignal: AbortSignal,
  lookAhead = false,
): Promise<void> {
  const { opts } = run;
  const segment = state.segment;
  state.attempts += 1;
  state.jobs += 1;
  state.triedOn.add(task.arn);
  task.segmentsAttempted += 1;
  const attempt = state.attempts;
  const jobId = jobIdFor(segment.id, state.jobs);
  const handle: ActiveAttempt = {
    taskArn: task.arn,
    lookAhead,
    started: false,
    controller: new AbortController(),
  };
  state.attempt = handle;
  const signal = anySignal(
    taskSignal,
    handle.controller.signal,
    AbortSignal.timeout(opts.timeouts.segmentMs),
  );
  // Registered before the first await, so uploads keep the order the segments were taken in.
  const turn = task.beginUpload();
  let uploaded = false;
  try {
    let t0 = performance.now();
    // Every attempt gets its own URLs, expiring shortly after its own deadline.
    const deadlineMs = Date.now() + opts.timeouts.segmentMs;
    const input = segment.input;
    const outputDir = opts.outputDir;
    const s3Input = await abortable(s3InputOf(run.s3, segment), signal);
    const partBytes = segment.outputS3 === undefined ? undefined : OUTPUT_PART_BYTES;
    if ("path" in input && s3Input === undefined && state.inputSha256 === undefined)
      state.inputSha256 = hashFile(input.path).then((h) => h.sha256);
    const sha256 = s3Input === undefined ? await state.inputSha256 : s3Input.sha256;
    let bytes: number | undefined;
    try {
      if (lookAhead) {
        const waitFrom = performance.now();
        await abortable(turn.earlier, signal);
        t0 += performance.now() - waitFrom; // waiting for its turn is not upload time
      }
      if (s3Input !== undefined) {
        const s3 = requireS3(run.s3);
        const url = await presignInput(s3, s3Input, deadlineMs);
        await client.createFromSpec(
          jobId,
          {
            params: segment.params,
            input: { s3: { url, ...(sha256 === undefined ? {} : { sha256 }) } },
            ...(partBytes === undefined ? {} : { output: { partBytes } }),
          },
          signal,
        );
        bytes = 0; // through the orchestrator: none; the worker reports the input's size
      } else {
        if ("s3" in input) throw new FanoutError("S3_INPUT", "an S3 input without the run's S3 client");
        ({ bytes } = await client.upload(jobId, input, segment.params, { sha256, signal, partBytes }));
      }
    } finally {
      turn.end();
    }
    uploaded = true;
    state.inputBytes = bytes;
    const t1 = performance.now();
    run.emit({
      type: "segment.uploaded",
      segmentId: segment.id,
      taskArn: task.arn,
      attempt,
      bytes,
      durationMs: Math.round(t1 - t0),
    });

    let status: JobStatus | undefined;
    let runningAt: number | undefined;
    let lastProgress = -1;
    for (;;) {
      // First ask without waiting, so `segment.started` is prompt for a job that starts at once.
      const wait =
        status === undefined ? 0 : status.status === "queued" ? LONG_POLL_SECONDS : PROGRESS_POLL_SECONDS;
      status = await client.status(jobId, wait, signal);
      if (runningAt === undefined && status.status !== "queued") {
        handle.started = true;
        runningAt = performance.now();
        run.emit({ type: "segment.started", segmentId: segment.id, taskArn: task.arn, attempt });
      }
      // The worker's own word that it drains (a Spot notice): heard on this poll, not at the next DescribeTasks.
      if (status.draining === true && task.phase === "ready") run.markDraining(task, "worker");
      if (status.status === "succeeded" || status.status === "failed") break;
      const progress = status.progress ?? 0;
      if (status.status === "running" && progress !== lastProgress) {
        lastProgress = progress;
        run.emit({ type: "segment.progress", segmentId: segment.id, taskArn: task.arn, attempt, progress });
      }
    }
    const t2 = performance.now();
    const processMs = status.timings?.processMs ?? t2 - (runningAt ?? t1);
    const queuedMs = status.timings?.queuedMs ?? (runningAt ?? t2) - t1;
    state.processMsTotal += processMs;
    task.processMs += processMs;
    if (status.status === "failed") {
      throw new JobFailedError(
        segment.id,
        task.arn,
        status.error?.message ?? "the worker reported the job failed",
        status.error?.code,
      );
    }
    if (status.output === undefined) {
      throw new WorkerError(`job ${jobId} succeeded without output`, {
        taskArn: task.arn,
        url: client.baseUrl,
        statusCode: 200,
      });
    }
    if (status.input !== undefined && s3Input !== undefined) state.inputBytes = status.input.bytes;
    const inputSha256 = s3Input === undefined ? sha256 : status.input?.sha256;
    let got: SegmentOutput;
    if (segment.outputS3 !== undefined) {
      ({ output: got } = await landOutputInS3({
        run: requireS3(run.s3),
        client,
        jobId,
        segment,
        location: segment.outputS3,
        output: status.output,
        outputDir,
        deadlineMs,
        resumes: opts.retry.downloadResumes,
        signal,
      }));
    } else {
      if (outputDir === undefined || segment.outputPath === undefined)
        throw new FanoutError(
          "NO_OUTPUT_DIR",
          `segment ${segment.id} has neither an outputDir nor an S3 output`,
        );
      const file = await downloadVerified({
        client,
        jobId,
        segmentId: segment.id,
        expected: { bytes: status.output.bytes, sha256: status.output.sha256 },
        tempPath: join(outputDir, `.${segment.outputName}.${jobId}.part`),
        finalPath: segment.outputPath,
        resumes: opts.retry.downloadResumes,
        signal,
      });
      got = { path: segment.outputPath, bytes: file.bytes, sha256: file.sha256 };
    }
    const t3 = performance.now();
    state.output = got;
    state.timings = Object.freeze({ uploadMs: t1 - t0, queuedMs, processMs, downloadMs: t3 - t2 });
    state.taskArn = task.arn;
    task.segmentsSucceeded += 1;
    run.queue.settle(state, "succeeded");
    run.emit({
      type: "segment.downloaded",
      segmentId: segment.id,
      taskArn: task.arn,
      attempt,
      path: got.path,
      s3: got.s3,
      bytes: got.bytes,
      sha256: got.sha256,
      timings: {
        uploadMs: Math.round(state.timings.uploadMs),
        queuedMs: Math.max(0, Math.round(queuedMs)),
        processMs: Math.round(processMs),
        downloadMs: Math.round(state.timings.downloadMs),
      },
      input: { bytes: state.inputBytes, sha256: inputSha256 },
    });
    run.publish(state);
    await client.delete(jobId, AbortSignal.timeout(5000)).catch(() => {});
  } catch (error) {
    turn.end();
    const reason: unknown = handle.controller.signal.reason;
    // Another task owns the segment now (taken back), or it is back in the queue already (its task
    // drains, or a retry took its place): cancel the job here, free the worker's disk, count nothing.
    if (reason instanceof SegmentTakenBack || reason instanceof SegmentRequeued) {
      task.segmentsAttempted -= 1;
      run.emit(
        reason instanceof SegmentTakenBack
          ? {
              type: "segment.takenBack",
              segmentId: segment.id,
              fromTaskArn: reason.fromTaskArn,
              toTaskArn: reason.toTaskArn,
            }
          : {
              type: "segment.requeued",
              segmentId: segment.id,
              fromTaskArn: reason.fromTaskArn,
              reason: reason.reason,
            },
      );
      if (!taskSignal.aborted) await client.delete(jobId, AbortSignal.timeout(5000)).catch(() => {});
      return;
    }
    if (uploaded && !taskSignal.aborted)
      await client.delete(jobId, AbortSignal.timeout(5000)).catch(() => {});
    await attemptFailed(run, task, state, error, { uploaded, taskGone: taskSignal.aborted });
  }
}

async function attemptFailed(
  run: RunState,
  task: FleetTask,
  state: SegmentState,
  error: unknown,
  info: { uploaded: boolean; taskGone: boolean },
): Promise<void> {
  // This attempt is over: nobody may take it back any more.
  state.attempt = undefined;
  if (run.signal?.aborted) {
    run.queue.requeue(state);
    return;
  }
  const blame = blameOf(error, info.taskGone);
  if (blame === "draining" && !info.uploaded) {
    // The worker refused a new job while draining: this attempt never ran, so it does not count,
    // and the segment goes back to the queue first, like the rest of the task's unstarted work.
    state.attempts -= 1;
    state.triedOn.delete(task.arn);
    task.segmentsAttempted -= 1;
    run.markDraining(task, "worker");
    run.emit({
      type: "segment.requeued",
      segmentId: state.segment.id,
      fromTaskArn: task.arn,
      reason: "draining",
    });
    run.queue.requeue(state);
    return;
  }
  if (blame === "draining") run.markDraining(task, "worker");
  else if (blame === "task") run.markLost(task, messageOf(error).message);

  // Once the task is lost, that is what happened to the attempt, whatever error the cut surfaced as
  // (a socket error, an aborted body read): report the TaskLostError with its stop code.
  const lost: unknown = task.controller.signal.reason;
  const { code, message } = messageOf(lost instanceof TaskLostError ? lost : error);
  const willRetry = state.attempts < run.opts.retry.segmentAttempts;
  state.error = { code, message };
  run.emit({
    type: "segment.failed",
    segmentId: state.segment.id,
    taskArn: task.arn,
    attempt: state.attempts,
    code,
    message,
    willRetry,
  });
  if (willRetry) {
    run.queue.requeue(state);
    return;
  }
  if (run.td.logs !== undefined) {
    state.logTail = await logTail(run.ctx, run.td.logs, run.td.containerName, task.snapshot.taskId).catch(
      () => undefined,
    );
  }
  run.queue.settle(state, "failed");
  run.publish(state);
  run.ensureCapacity();
}
