import type { SegmentS3Output } from "../result.js";

/** Where a succeeded segment's verified output is: a file in outputDir, an object in S3, or both. */
export interface SegmentOutput {
  readonly path?: string | undefined;
  readonly s3?: (SegmentS3Output & { readonly etag?: string | undefined }) | undefined;
  readonly bytes: number;
  readonly sha256: string;
}
