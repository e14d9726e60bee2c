import { createHash } from "node:crypto";

/** One part's digests (raw bytes) and size. */
export interface PartDigest {
  readonly sha256: Buffer;
  readonly md5: Buffer;
  readonly bytes: number;
}

/** What HeadObject said about a landed object. */
export interface LandedHead {
  readonly ContentLength?: number | undefined;
  readonly ETag?: string | undefined;
  readonly ChecksumSHA256?: string | undefined;
}

/**
 * Whether the object S3 holds is the file: its size, then S3's SHA-256 (the whole object's for one
 * PUT; for a multipart upload the composite — SHA-256 of the parts' SHA-256s, `-N` — or a
 * full-object value), else, on servers without additional checksums, the ETag (MD5 for one PUT; MD5
 * of the parts' MD5s `-N`, or a whole-object MD5, for multipart). No digest at all is a mismatch.
 */
export function landedMismatch(
  head: LandedHead,
  bytes: number,
  file: { sha256: Buffer; md5: Buffer; parts: readonly PartDigest[] },
): { by: "S3's SHA-256" | "S3's ETag" } | { mismatch: string } {
  if (head.ContentLength !== bytes)
    return { mismatch: `size: expected ${bytes} bytes, got ${String(head.ContentLength)}` };
  const multipart = file.parts.length > 1;
  const suffix = `-${file.parts.length}`;
  if (head.ChecksumSHA256 !== undefined) {
    const accepted = new Set([file.sha256.toString("base64")]);
    if (multipart) {
      const composite = createHash("sha256")
        .update(Buffer.concat(file.parts.map((p) => p.sha256)))
        .digest("base64");
      accepted.add(composite).add(`${composite}${suffix}`);
    }
    return accepted.has(head.ChecksumSHA256)
      ? { by: "S3's SHA-256" }
      : { mismatch: `S3's SHA-256: expected one of ${[...accepted].join(", ")}, got ${head.ChecksumSHA256}` };
  }
  const etag = head.ETag?.replace(/"/g, "");
  if (etag === undefined) return { mismatch: "S3 showed neither a SHA-256 nor an ETag to check" };
  const accepted = new Set([file.md5.toString("hex")]);
  if (multipart)
    accepted.add(
      `${createHash("md5")
        .update(Buffer.concat(file.parts.map((p) => p.md5)))
        .digest("hex")}${suffix}`,
    );
  return accepted.has(etag)
    ? { by: "S3's ETag" }
    : { mismatch: `S3's ETag: expected one of ${[...accepted].join(", ")}, got ${etag}` };
}
