import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { JobOutputInfo } from "@ecs-fanout/protocol";
import type { PlannedSegment } from "../options/segments.js";
import { downloadFromS3 } from "../s3/download.js";
import type { MultipartLedger } from "../s3/multipart-ledger.js";
import { type LandedOutput, putOutputInS3 } from "../s3/output.js";
import { expiresInFor, type Presigner } from "../s3/presign.js";
import type { S3Location } from "../s3/uri.js";
import type { WorkerClient } from "../worker/client.js";
import type { SegmentOutput } from "./segment-output.js";
import type { StagedInput } from "./stage.js";

/** Part size the worker hashes and uploads an S3 output in (S3's minimum is 5 MiB). */
export const OUTPUT_PART_BYTES = 16 * 1024 * 1024;

/** The run's S3 side: its client and presigner, and where staged inputs are. */
export interface RunS3 {
  readonly s3: S3Client;
  readonly presigner: Presigner;
  /** Every multipart upload the run opened and has not closed yet (noted in the run record). */
  readonly uploads: MultipartLedger;
  /** A local input's object in S3 and its digest once staged (resolves when it landed), by segment id. */
  readonly staged: ReadonlyMap<string, Promise<StagedInput>>;
}

/** The input object a segment's attempt fetches from S3: its own, or its staged copy. */
export async function s3InputOf(
  run: RunS3 | undefined,
  segment: PlannedSegment,
): Promise<
  { location: S3Location; versionId?: string | undefined; sha256?: string | undefined } | undefined
> {
  const input = segment.input;
  if ("s3" in input) return { location: input.s3, versionId: input.versionId, sha256: input.sha256 };
  const staged = run?.staged.get(segment.id);
  if (staged === undefined) return undefined;
  const { location, sha256 } = await staged;
  return { location, sha256 };
}

/** A presigned GET for this attempt only, expiring shortly after its deadline. */
export function presignInput(
  run: RunS3,
  input: { location: S3Location; versionId?: string | undefined },
  deadlineMs: number,
): Promise<string> {
  return run.presigner.get({ ...input.location, versionId: input.versionId }, expiresInFor(deadlineMs));
}

/**
 * Has the worker put its output in S3 (fresh URLs for this attempt), accepts it only when S3's
 * checksum matches the worker's, then — when the run has an outputDir — streams it from S3 to
 * disk (verified, renamed into place).
 */
export async function landOutputInS3(input: {
  run: RunS3;
  client: WorkerClient;
  jobId: string;
  segment: PlannedSegment;
  location: S3Location;
  output: JobOutputInfo;
  outputDir: string | undefined;
  deadlineMs: number;
  resumes: number;
  signal: AbortSignal;
}): Promise<{ output: SegmentOutput; landed: LandedOutput }> {
  const { run, segment, output, signal } = input;
  const landed = await putOutputInS3({
    s3: run.s3,
    presigner: run.presigner,
    client: input.client,
    jobId: input.jobId,
    segmentId: segment.id,
    output,
    location: input.location,
    deadlineMs: input.deadlineMs,
    signal,
    uploads: run.uploads,
  });
  const s3 = {
    uri: landed.uri,
    versionId: landed.versionId,
    bytes: landed.bytes,
    sha256: landed.sha256,
    etag: landed.etag,
  };
  if (input.outputDir === undefined || segment.outputPath === undefined)
    return { output: { s3, bytes: landed.bytes, sha256: landed.sha256 }, landed };
  await downloadFromS3({
    s3: run.s3,
    location: { ...input.location, versionId: landed.versionId },
    expected: { bytes: landed.bytes, sha256: landed.sha256 },
    tempPath: join(input.outputDir, `.${segment.outputName}.${input.jobId}.part`),
    finalPath: segment.outputPath,
    resumes: input.resumes,
    segmentId: segment.id,
    signal,
  });
  return { output: { path: segment.outputPath, s3, bytes: landed.bytes, sha256: landed.sha256 }, landed };
}
