import { createHash } from "node:crypto";
import type { JobOutputInfo } from "@ecs-fanout/protocol";

/** What HeadObject said about a landed object. */
export interface LandedObject {
  readonly ContentLength?: number | undefined;
  readonly ETag?: string | undefined;
  readonly ChecksumSHA256?: string | undefined;
}

const raw = (hex: string) => Buffer.from(hex, "hex");
const b64 = (hex: string) => raw(hex).toString("base64");

/**
 * Whether the object S3 holds is the output the worker computed: its size, and S3's SHA-256
 * (the whole object's for a single PUT; the composite of the parts' for a multipart upload) or,
 * where S3 shows none (servers without additional checksums), its MD5-based ETag. Returns why not,
 * or undefined when it matches. An object S3 gives no digest for is refused, never assumed good.
 */
export function mismatchOf(head: LandedObject, output: JobOutputInfo): string | undefined {
  if (head.ContentLength !== output.bytes)
    return `size: expected ${output.bytes} bytes, got ${String(head.ContentLength)}`;
  const parts = output.parts;
  if (head.ChecksumSHA256 !== undefined) {
    const expected =
      parts === undefined
        ? b64(output.sha256)
        : `${createHash("sha256")
            .update(Buffer.concat(parts.map((p) => raw(p.sha256))))
            .digest("base64")}-${parts.length}`;
    // A full-object value may come without the "-N" suffix some servers add to composites.
    const got = head.ChecksumSHA256;
    return got === expected || got === expected.replace(/-\d+$/, "")
      ? undefined
      : `S3's SHA-256: expected ${expected}, got ${got}`;
  }
  const etag = head.ETag?.replace(/"/g, "");
  if (etag === undefined) return "S3 showed neither a SHA-256 nor an ETag to check";
  const accepted = new Set<string>();
  if (output.md5 !== undefined) accepted.add(output.md5);
  if (parts !== undefined)
    accepted.add(
      `${createHash("md5")
        .update(Buffer.concat(parts.map((p) => raw(p.md5))))
        .digest("hex")}-${parts.length}`,
    );
  if (accepted.size === 0) return "the worker reported no MD5 to check S3's ETag against";
  return accepted.has(etag)
    ? undefined
    : `S3's ETag: expected one of ${[...accepted].join(", ")}, got ${etag}`;
}
