import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { parseS3Uri, type S3Location } from "../s3/uri.js";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * An `s3://bucket/key` URI, parsed. `kind: "object"` needs a key that does not end with `/`;
 * `kind: "prefix"` needs one that does (`s3://bucket/` is the whole bucket).
 */
function s3UriSchema(kind: "object" | "prefix") {
  const expected =
    kind === "object"
      ? "an s3:// object URI (s3://bucket/key)"
      : "an s3:// prefix ending in '/' (s3://bucket/prefix/)";
  return z
    .string()
    .transform((text, ctx): S3Location => {
      const parsed = parseS3Uri(text);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: parsed.message });
        return z.NEVER;
      }
      const { key } = parsed.value;
      const fits = kind === "object" ? key.length > 0 && !key.endsWith("/") : key === "" || key.endsWith("/");
      if (!fits) {
        ctx.addIssue({ code: "custom", message: expectedGot(expected, text) });
        return z.NEVER;
      }
      return parsed.value;
    })
    .describe(expected);
}

/** One S3 object. */
export const s3ObjectUri = () => s3UriSchema("object");
/** A prefix in S3, ending in `/`; object keys are appended to it. */
export const s3PrefixUri = () => s3UriSchema("prefix");

/** A SHA-256 digest written as 64 lowercase hex digits. */
export const sha256Hex = () =>
  z
    .string()
    .refine((v) => SHA256_HEX.test(v), {
      error: (i) => expectedGot("a SHA-256 as 64 lowercase hex digits", i.input),
    })
    .describe("a SHA-256 as 64 lowercase hex digits");

/** An input object in S3, which the worker fetches itself through a URL presigned per attempt. */
export const s3InputSchema = z.strictObject({
  /** The object, `s3://bucket/key`. */
  s3: s3ObjectUri(),
  /** A version of the object (versioned buckets). @default the current version */
  versionId: z.string().min(1).optional(),
  /** The object's expected SHA-256; the worker refuses other bytes. @default not checked */
  sha256: sha256Hex().optional(),
});

/** A segment's output object in S3, overriding the run's `outputs` prefix. */
export const s3OutputSchema = z.strictObject({
  /** The exact object, `s3://bucket/key`. */
  s3: s3ObjectUri(),
});

/** Where a run's outputs go in S3: each lands at the prefix plus the segment's `outputName`. */
export const s3OutputsSchema = z.strictObject({
  /** A prefix ending in `/`, `s3://bucket/prefix/`. */
  s3: s3PrefixUri(),
});
