import { expectedGot } from "@ecs-fanout/protocol";

/** An S3 object (`key` does not end in `/`) or prefix (`key` is empty or ends in `/`). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

// S3's bucket naming rules: 3–63 lowercase letters, digits, dots and hyphens, a letter or digit at each end.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Whether an argument names S3 rather than a local file. */
export const isS3Uri = (text: string): boolean => /^s3:\/\//i.test(text);

/** The URI of a location, for messages and reports (never a presigned URL: there are none here). */
export const s3Uri = (location: S3Location): string => `s3://${location.bucket}/${location.key}`;

/**
 * Parses `s3://bucket/key` (an object) or `s3://bucket/prefix/` (a prefix). Returns a problem in
 * the "expected … got …" voice instead of throwing, so every argument's problem is listed at once.
 */
export function parseS3Uri(
  text: string,
  kind: "object" | "prefix",
): { ok: true; value: S3Location } | { ok: false; message: string } {
  const shape =
    kind === "object"
      ? "an s3:// object URI (s3://bucket/key)"
      : "an s3:// prefix ending in / (s3://bucket/prefix/)";
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(text);
  if (!match) return { ok: false, message: expectedGot(shape, text) };
  const bucket = match[1] as string;
  const key = match[2] ?? "";
  if (!BUCKET.test(bucket) || bucket.includes(".."))
    return { ok: false, message: expectedGot(`${shape} whose bucket is a valid S3 bucket name`, text) };
  if (Buffer.byteLength(key) > 1024)
    return { ok: false, message: expectedGot("a key of at most 1024 bytes", text) };
  if (kind === "object" && (key === "" || key.endsWith("/")))
    return { ok: false, message: expectedGot(shape, text) };
  if (kind === "prefix" && key !== "" && !key.endsWith("/"))
    return { ok: false, message: expectedGot(shape, text) };
  return { ok: true, value: { bucket, key } };
}

/** The object's file name (the key's last part), for local work files and messages. */
export const baseName = (location: S3Location): string =>
  location.key.slice(location.key.lastIndexOf("/") + 1);

/** An object under a prefix. */
export const underPrefix = (prefix: S3Location, name: string): S3Location => ({
  bucket: prefix.bucket,
  key: `${prefix.key}${name}`,
});
