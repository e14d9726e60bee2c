import { stat } from "node:fs/promises";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import type { PlannedSegment } from "../options/segments.js";
import { lastChain } from "../record/chain.js";
import { recordedParams, sameParams } from "../record/options-record.js";
import { readManifest } from "../record/read.js";
import type { ManifestRecord } from "../record/schema.js";
import type { SegmentTimings } from "../result.js";
import { s3Uri } from "../s3/uri.js";
import { hashFile } from "../worker/download.js";
import type { SegmentOutput } from "./segment-output.js";

type Billed = Extract<ManifestRecord, { type: "task.billed" }>;
type Launched = Extract<ManifestRecord, { type: "task.launched" }>;

/** A segment an earlier run finished, as its manifest line says. */
export interface DoneSegment extends SegmentOutput {
  readonly segmentId: string;
  readonly fromRunId: string;
  readonly timings: SegmentTimings | undefined;
  readonly input: { readonly bytes?: number | undefined; readonly sha256?: string | undefined } | undefined;
  /** The processor params of the run that made it, as that run recorded them. */
  readonly params: Readonly<Record<string, number | boolean | string>> | undefined;
}

/** A task an earlier run launched: priced from its `task.billed` line, or described again. */
export interface PriorTask {
  readonly taskArn: string;
  readonly fromRunId: string;
  readonly launched: Launched;
  readonly billed: Billed | undefined;
  /** The last line that named it (an upper bound for its life when ECS forgot it). */
  readonly lastSeenAt: number;
}

/** What a resumed run takes over from the runs before it. */
export interface ResumePlan {
  /** The run this one resumes: the manifest's last. */
  readonly fromRunId: string;
  /** Every earlier run whose work and cost this run's metrics include, oldest first. */
  readonly runIds: readonly string[];
  readonly priorWallSeconds: number;
  /** Segments whose output (and input) were verified on disk, by id. */
  readonly reused: ReadonlyMap<string, DoneSegment>;
  /** Segments the manifest says done whose output or input no longer match (redone). */
  readonly changed: readonly string[];
  readonly priorTasks: readonly PriorTask[];
  /**
   * Multipart uploads the earlier runs opened and never closed (an orchestrator killed
   * mid-upload, or an abort that failed): the resumed run aborts each.
   */
  readonly openUploads: readonly LeftoverUpload[];
}

/** A multipart upload an earlier run left open, as its record says. */
export interface LeftoverUpload {
  readonly location: { readonly bucket: string; readonly key: string };
  readonly uploadId: string;
  readonly fromRunId: string;
}

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Reads the manifest (undefined when there is none) and decides what an earlier run already did. */
export async function planResume(
  manifestPath: string,
  segments: readonly PlannedSegment[],
  signal?: AbortSignal,
  s3?: S3Client,
): Promise<ResumePlan | undefined> {
  if (!(await exists(manifestPath))) return undefined;
  const chain = lastChain(await readManifest(manifestPath, { signal }));
  const last = chain.at(-1);
  if (last === undefined) return undefined;
  const done = new Map<string, DoneSegment>();
  const launched = new Map<string, { record: Launched; runId: string }>();
  const billed = new Map<string, Billed>();
  const lastSeen = new Map<string, number>();
  const openUploads = new Map<string, LeftoverUpload>();
  for (const run of chain) {
    const params = run.started?.options?.params;
    for (const r of run.records) {
      if (r.type === "multipart.opened")
        openUploads.set(r.uploadId, {
          location: { bucket: r.bucket, key: r.key },
          uploadId: r.uploadId,
          fromRunId: run.runId,
        });
      else if (r.type === "multipart.closed") openUploads.delete(r.uploadId);
      if (r.type === "segment.downloaded" || r.type === "segment.resumed")
        done.set(r.segmentId, {
          segmentId: r.segmentId,
          path: r.path,
          s3: r.s3,
          bytes: r.bytes,
          sha256: r.sha256,
          fromRunId: r.type === "segment.resumed" ? r.fromRunId : run.runId,
          timings: r.timings,
          input: r.input,
          // A reused output keeps the params it was made with: the run that reused it checked them.
          params: r.type === "segment.resumed" ? (done.get(r.segmentId)?.params ?? params) : params,
        });
      else if (r.type === "task.launched") launched.set(r.taskArn, { record: r, runId: run.runId });
      else if (r.type === "task.billed") billed.set(r.taskArn, r);
      if ("taskArn" in r && typeof r.taskArn === "string") lastSeen.set(r.taskArn, r.time);
    }
  }
  // An output made with other processor params (another scale, model, quality) is not this run's
  // output, however intact: it is made again. Compared as the record keeps them (numbers,
  // booleans, the processor's name), against the run's params as of its first segment.
  const current = recordedParams(segments[0]?.params);
  const limit = pLimit(4);
  const reused = new Map<string, DoneSegment>();
  const changed: string[] = [];
  await Promise.all(
    segments.map((segment) =>
      limit(async () => {
        const record = done.get(segment.id);
        if (record === undefined) return;
        if (record.params !== undefined && !sameParams(record.params, current)) {
          changed.push(segment.id);
          return;
        }
        const still =
          segment.outputS3 === undefined
            ? await stillDone(segment, record, signal)
            : await stillInS3(segment, record, s3, signal);
        if (still) reused.set(segment.id, record);
        else changed.push(segment.id);
      }),
    ),
  );
  return {
    fromRunId: last.runId,
    runIds: chain.map((r) => r.runId),
    priorWallSeconds: chain.reduce((sum, r) => sum + (r.lastAt - r.firstAt) / 1000, 0),
    reused,
    changed: changed.sort(),
    priorTasks: [...launched].map(([taskArn, { record, runId }]) => ({
      taskArn,
      fromRunId: billed.get(taskArn)?.fromRunId ?? runId,
      launched: record,
      billed: billed.get(taskArn),
      lastSeenAt: lastSeen.get(taskArn) ?? record.time,
    })),
    openUploads: [...openUploads.values()],
  };
}

/**
 * The output is where it was, with the recorded size and sha256, and the input it was made from
 * is unchanged (size, then sha256). URL inputs cannot be checked, so they are redone.
 */
async function stillDone(segment: PlannedSegment, done: DoneSegment, signal?: AbortSignal): Promise<boolean> {
  if (done.path === undefined || done.path !== segment.outputPath || !("path" in segment.input)) return false;
  const want = done.input;
  if (want?.bytes === undefined || want.sha256 === undefined) return false;
  try {
    const [out, input] = await Promise.all([stat(done.path), stat(segment.input.path)]);
    if (out.size !== done.bytes || input.size !== want.bytes) return false;
    const [outHash, inHash] = await Promise.all([
      hashFile(done.path, signal),
      hashFile(segment.input.path, signal),
    ]);
    return outHash.sha256 === done.sha256 && inHash.sha256 === want.sha256;
  } catch {
    return false;
  }
}

/**
 * An S3 output an earlier run verified is still there, unchanged (HEAD: size, and S3's SHA-256
 * or the recorded ETag), at the object this run would write; a local copy asked for is checked
 * too. Its input must be unchanged: an S3 input of the recorded size (and the given sha256, if
 * any), or a local file of the recorded size and sha256. So an orchestrator that died after the
 * output landed and was recorded neither redoes nor duplicates it.
 */
async function stillInS3(
  segment: PlannedSegment,
  done: DoneSegment,
  s3: S3Client | undefined,
  signal?: AbortSignal,
): Promise<boolean> {
  const at = segment.outputS3;
  if (s3 === undefined || at === undefined || done.s3 === undefined || done.s3.uri !== s3Uri(at))
    return false;
  if (segment.outputPath !== undefined && !(await localCopyMatches(segment.outputPath, done, signal)))
    return false;
  try {
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        ChecksumMode: "ENABLED",
        ...(done.s3.versionId === undefined ? {} : { VersionId: done.s3.versionId }),
      }),
      { abortSignal: signal },
    );
    if (head.ContentLength !== done.bytes) return false;
    const sha = head.ChecksumSHA256;
    const matches =
      sha !== undefined && !sha.includes("-")
        ? sha === Buffer.from(done.sha256, "hex").toString("base64")
        : done.s3.etag !== undefined && head.ETag === done.s3.etag;
    if (!matches) return false;
    return await inputUnchanged(segment, done, s3, signal);
  } catch {
    return false;
  }
}

async function localCopyMatches(path: string, done: DoneSegment, signal?: AbortSignal): Promise<boolean> {
  try {
    if ((await stat(path)).size !== done.bytes) return false;
    return (await hashFile(path, signal)).sha256 === done.sha256;
  } catch {
    return false;
  }
}

async function inputUnchanged(
  segment: PlannedSegment,
  done: DoneSegment,
  s3: S3Client,
  signal?: AbortSignal,
): Promise<boolean> {
  const want = done.input;
  if (want?.bytes === undefined) return false;
  const input = segment.input;
  if ("url" in input) return false;
  if ("path" in input) {
    if (want.sha256 === undefined || (await stat(input.path)).size !== want.bytes) return false;
    return (await hashFile(input.path, signal)).sha256 === want.sha256;
  }
  if (input.sha256 !== undefined && input.sha256 !== want.sha256) return false;
  const head = await s3.send(
    new HeadObjectCommand({
      Bucket: input.s3.bucket,
      Key: input.s3.key,
      ...(input.versionId === undefined ? {} : { VersionId: input.versionId }),
    }),
    { abortSignal: signal },
  );
  return head.ContentLength === want.bytes;
}
