import { open, stat } from "node:fs/promises";
import { extname } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { S3TransferError } from "../errors.js";
import type { PlannedSegment } from "../options/segments.js";
import type { MultipartLedger } from "../s3/multipart-ledger.js";
import { type S3Location, s3Uri, underPrefix } from "../s3/uri.js";
import { hashFile } from "../worker/download.js";

/** Part size of a staged upload, and the size from which a file is sent in parts. */
const STAGE_PART_BYTES = 16 * 1024 * 1024;
/** Parts (or whole small files) in flight at once, over all staged files: bounds memory and sockets. */
const STAGE_CONCURRENCY = 4;

/** A local input's copy in S3, and the SHA-256 of the file it was made from. */
export interface StagedInput {
  readonly location: S3Location;
  /** The worker fetches the copy with this expected digest and refuses other bytes. */
  readonly sha256: string;
}

/** Progress of the staging, for the run's `stage.progress` events. */
export interface StageProgress {
  bytesDone: number;
  bytesTotal: number;
  objectsDone: number;
  objectsTotal: number;
  done: boolean;
}

/**
 * Uploads each local `{ path }` input once to `prefix/<runId>/<segment id><ext>` with the
 * orchestrator's credentials — files from one part up in parts, several at a time — and returns,
 * per segment, a promise of its object and digest that an attempt awaits (so staging runs ahead of
 * demand while tasks start). A failed file aborts its multipart upload (once none of its parts is
 * in flight) and rejects only its segments; every upload is noted in the run's ledger.
 */
export function stageInputs(input: {
  s3: S3Client;
  uploads: MultipartLedger;
  prefix: S3Location;
  runId: string;
  segments: readonly PlannedSegment[];
  onProgress: (progress: StageProgress) => void;
  signal: AbortSignal;
}): { staged: Map<string, Promise<StagedInput>>; objects: S3Location[]; all: Promise<void> } {
  const { s3, signal } = input;
  const limit = pLimit(STAGE_CONCURRENCY);
  const staged = new Map<string, Promise<StagedInput>>();
  const objects: S3Location[] = [];
  const local = input.segments.filter((s) => "path" in s.input);
  const progress: StageProgress = {
    bytesDone: 0,
    bytesTotal: 0,
    objectsDone: 0,
    objectsTotal: local.length,
    done: false,
  };
  const sizes = Promise.all(local.map((s) => stat((s.input as { path: string }).path).then((st) => st.size)));
  for (const [i, segment] of local.entries()) {
    const path = (segment.input as { path: string }).path;
    const location = underPrefix(input.prefix, `${input.runId}/${segment.id}${extname(path)}`);
    objects.push(location);
    const done = sizes.then(async (all) => {
      const bytes = all[i] as number;
      // The file's own digest goes with its copy: bytes corrupted in S3 or on the way to the task
      // are refused by the worker instead of being processed (the staged object carries no checksum).
      const [, digest] = await Promise.all([
        uploadFile(s3, input.uploads, segment.id, path, bytes, location, limit, signal, (n) => {
          progress.bytesDone += n;
          input.onProgress({ ...progress });
        }),
        hashFile(path, signal),
      ]);
      progress.objectsDone += 1;
      progress.done = progress.objectsDone === progress.objectsTotal;
      input.onProgress({ ...progress });
      return { location, sha256: digest.sha256 };
    });
    done.catch(() => {});
    staged.set(segment.id, done);
  }
  void sizes.then(
    (all) => {
      progress.bytesTotal = all.reduce((a, b) => a + b, 0);
      input.onProgress({ ...progress });
    },
    () => {},
  );
  const all = Promise.allSettled([...staged.values()]).then(() => {});
  return { staged, objects, all };
}

async function readPart(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new Error(`${path} changed while it was staged`);
    return buffer;
  } finally {
    await handle.close();
  }
}

async function uploadFile(
  s3: S3Client,
  uploads: MultipartLedger,
  segmentId: string,
  path: string,
  bytes: number,
  location: S3Location,
  limit: ReturnType<typeof pLimit>,
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<void> {
  const at = { Bucket: location.bucket, Key: location.key };
  const fail = (error: unknown) =>
    new S3TransferError(
      "S3_STAGE_FAILED",
      `staging ${path} at ${s3Uri(location)}: ${(error as { name?: string }).name ?? String(error)}`,
      { uri: s3Uri(location) },
      error,
    );
  if (bytes <= STAGE_PART_BYTES) {
    await limit(async () => {
      const body = await readPart(path, 0, bytes);
      await s3.send(new PutObjectCommand({ ...at, Body: body, ContentLength: bytes }), {
        abortSignal: signal,
      });
      onBytes(bytes);
    }).catch((error: unknown) => {
      throw fail(error);
    });
    return;
  }
  const created = await s3.send(new CreateMultipartUploadCommand(at), { abortSignal: signal }).catch((e) => {
    throw fail(e);
  });
  if (created.UploadId === undefined)
    throw fail(new Error("CreateMultipartUpload answered without an UploadId"));
  const upload = { location, uploadId: created.UploadId };
  uploads.opened(upload, "stage", segmentId);
  try {
    const count = Math.ceil(bytes / STAGE_PART_BYTES);
    let failure: { error: unknown } | undefined;
    // Every part settles before the upload is completed or aborted: a part still on its way
    // after an abort could land in it again.
    const settled = await Promise.allSettled(
      Array.from({ length: count }, (_, i) =>
        limit(async () => {
          // The upload is lost already: send no more of it.
          if (failure !== undefined) throw failure.error;
          try {
            const offset = i * STAGE_PART_BYTES;
            const length = Math.min(STAGE_PART_BYTES, bytes - offset);
            const body = await readPart(path, offset, length);
            const got = await s3.send(
              new UploadPartCommand({
                ...at,
                UploadId: upload.uploadId,
                PartNumber: i + 1,
                Body: body,
                ContentLength: length,
              }),
              { abortSignal: signal },
            );
            onBytes(length);
            return { PartNumber: i + 1, ETag: got.ETag };
          } catch (error) {
            failure ??= { error };
            throw error;
          }
        }),
      ),
    );
    if (failure !== undefined) throw failure.error;
    const parts = settled.map(
      (p) => (p as PromiseFulfilledResult<{ PartNumber: number; ETag?: string }>).value,
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        ...at,
        UploadId: upload.uploadId,
        MultipartUpload: { Parts: parts },
      }),
      { abortSignal: signal },
    );
    uploads.completed(upload);
  } catch (error) {
    // No part outlives a failed staging; an abort that fails is reported and tried again at the end.
    await uploads.abort(upload);
    throw fail(error);
  }
}

/**
 * Where earlier runs (resumed by this one) staged the local inputs under the same prefix: a run
 * killed before its end never removed them, so its resume does.
 */
export function stagedByEarlierRuns(
  prefix: S3Location,
  runIds: readonly string[],
  segments: readonly PlannedSegment[],
): S3Location[] {
  return runIds.flatMap((runId) =>
    segments.flatMap((s) =>
      "path" in s.input ? [underPrefix(prefix, `${runId}/${s.id}${extname(s.input.path)}`)] : [],
    ),
  );
}

/** Deletes the staged objects (best effort: the lifecycle rule of the staging bucket covers the rest). */
export async function removeStaged(s3: S3Client, objects: readonly S3Location[]): Promise<number> {
  const limit = pLimit(STAGE_CONCURRENCY);
  const removed = await Promise.all(
    objects.map((o) =>
      limit(() =>
        s3.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: o.key })).then(
          () => 1,
          () => 0,
        ),
      ),
    ),
  );
  return removed.reduce<number>((a, b) => a + b, 0);
}
