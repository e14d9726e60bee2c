import { expectedGot } from "@ecs-fanout/protocol";

/** An S3 object or prefix: bucket and key (a prefix ends with `/`, or is empty). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

// Bucket naming rules (3–63 of lowercase letters, digits, dots, hyphens; starting and ending with a letter or digit).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** What an `s3://` URI must look like, for "expected … got …" problems. */
export const S3_URI_RULE = "an s3:// URI (s3://bucket/key)";

/** Parses `s3://bucket/key`; returns a problem message instead of throwing. */
export function parseS3Uri(text: string): { ok: true; value: S3Location } | { ok: false; message: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(text);
  if (!match) return { ok: false, message: expectedGot(S3_URI_RULE, text) };
  const bucket = match[1] as string;
  const key = match[2] as string;
  if (!BUCKET.test(bucket)) return { ok: false, message: expectedGot("a valid S3 bucket name", bucket) };
  if (Buffer.byteLength(key) > 1024)
    return { ok: false, message: expectedGot("a key of at most 1024 bytes", key) };
  return { ok: true, value: { bucket, key } };
}

/** The URI of a location, for messages, events and results. */
export const s3Uri = (location: S3Location): string => `s3://${location.bucket}/${location.key}`;

/** An object under a prefix (`s3://b/out/` + `seg-1.mp4`). */
export function underPrefix(prefix: S3Location, name: string): S3Location {
  const base = prefix.key === "" || prefix.key.endsWith("/") ? prefix.key : `${prefix.key}/`;
  return { bucket: prefix.bucket, key: `${base}${name}` };
}
