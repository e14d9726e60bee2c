import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { statfs } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { PartChecksum } from "@ecs-fanout/protocol";

/** Bytes an unprivileged process may still write on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(
  path: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  await pipeline(
    createReadStream(path),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        bytes += chunk.length;
        hash.update(chunk);
      }
    },
    { signal },
  );
  return { sha256: hash.digest("hex"), bytes };
}

/** A finished output's digests: SHA-256 and MD5 of the whole, and of each part when it is split. */
export interface OutputDigests {
  sha256: string;
  md5: string;
  bytes: number;
  parts?: PartChecksum[];
}

/**
 * One read of the output gives every digest S3 will be checked against: the SHA-256 (the
 * protocol's), the MD5 (a single PUT's ETag), and per part of `partBytes` both (the composite
 * checksum and the multipart ETag). Parts only when the output is larger than one part.
 */
export async function hashOutput(
  path: string,
  partBytes: number | undefined,
  signal?: AbortSignal,
): Promise<OutputDigests> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  const parts: PartChecksum[] = [];
  let partSha = createHash("sha256");
  let partMd5 = createHash("md5");
  let inPart = 0;
  let bytes = 0;
  const endPart = () => {
    parts.push({ sha256: partSha.digest("hex"), md5: partMd5.digest("hex"), bytes: inPart });
    partSha = createHash("sha256");
    partMd5 = createHash("md5");
    inPart = 0;
  };
  await pipeline(
    createReadStream(path),
    async (source: AsyncIterable<Buffer>) => {
      for await (let chunk of source) {
        bytes += chunk.length;
        sha.update(chunk);
        md5.update(chunk);
        if (partBytes === undefined) continue;
        while (chunk.length > 0) {
          const take = Math.min(chunk.length, partBytes - inPart);
          partSha.update(chunk.subarray(0, take));
          partMd5.update(chunk.subarray(0, take));
          inPart += take;
          chunk = chunk.subarray(take);
          if (inPart === partBytes) endPart();
        }
      }
    },
    { signal },
  );
  if (partBytes !== undefined && inPart > 0) endPart();
  const digests: OutputDigests = { sha256: sha.digest("hex"), md5: md5.digest("hex"), bytes };
  if (partBytes !== undefined && bytes > partBytes) digests.parts = parts;
  return digests;
}
