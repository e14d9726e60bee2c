import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { ProgressReporter } from "../progress/types.js";
import { formatBytes } from "../report/format.js";
import { type Downloaded, downloadObject, type ObjectFacts } from "../s3/download.js";
import { type UploadedObject, uploadFile } from "../s3/upload.js";
import { baseName, type S3Location } from "../s3/uri.js";

/** The S3 input, brought to the work dir so ffmpeg (which sees only local files) can split it. */
export interface FetchedSource {
  readonly path: string;
  /** How it was fetched; undefined when a resumed run found it already there. */
  readonly downloaded: Downloaded | undefined;
  readonly seconds: number;
}

/**
 * Downloads the input object into the work dir (progress in bytes), or, on `--resume`, reuses the
 * copy an earlier run left when the object is still the one it fetched (same size, ETag and
 * version, recorded beside the copy).
 */
export async function fetchSource(input: {
  s3: S3Client;
  uri: string;
  location: S3Location;
  facts: ObjectFacts;
  workDir: string;
  reporter: ProgressReporter;
  resume: boolean;
  signal?: AbortSignal | undefined;
}): Promise<FetchedSource> {
  const started = performance.now();
  const path = join(input.workDir, `source${extname(baseName(input.location)) || ".mp4"}`);
  const note = join(input.workDir, "source.json");
  const identity = JSON.stringify({
    uri: input.uri,
    bytes: input.facts.bytes,
    etag: input.facts.etag ?? null,
    versionId: input.facts.versionId ?? null,
  });
  if (input.resume && existsSync(path) && existsSync(note)) {
    const same = (await readFile(note, "utf8")) === identity && (await stat(path)).size === input.facts.bytes;
    if (same) {
      input.reporter.phase("downloading input", `${input.uri}: the copy an earlier run fetched is unchanged`);
      return { path, downloaded: undefined, seconds: (performance.now() - started) / 1000 };
    }
  }
  input.reporter.phase("downloading input", `${input.uri} (${formatBytes(input.facts.bytes)})`);
  const downloaded = await downloadObject({
    s3: input.s3,
    location: input.location,
    facts: input.facts,
    path,
    onProgress: (done, total) => input.reporter.transferProgress(done, total),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  await writeFile(note, identity);
  return { path, downloaded, seconds: (performance.now() - started) / 1000 };
}

/** Uploads the verified output to its S3 object (progress in bytes). */
export async function deliverToS3(input: {
  s3: S3Client;
  uri: string;
  location: S3Location;
  file: string;
  reporter: ProgressReporter;
  signal?: AbortSignal | undefined;
}): Promise<{ uploaded: UploadedObject; seconds: number }> {
  const started = performance.now();
  input.reporter.phase("uploading output", `${input.uri} (${formatBytes((await stat(input.file)).size)})`);
  const uploaded = await uploadFile({
    s3: input.s3,
    path: input.file,
    location: input.location,
    onProgress: (done, total) => input.reporter.transferProgress(done, total),
    onAbortFailed: (f) =>
      input.reporter.note(
        `warning: could not abort the multipart upload ${f.uploadId} of ${f.uri} (${f.error}); ` +
          "abort it by hand or let the bucket's lifecycle rule remove it",
      ),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return { uploaded, seconds: (performance.now() - started) / 1000 };
}
