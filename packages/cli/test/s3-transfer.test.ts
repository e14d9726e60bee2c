import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentReporter } from "../src/progress/types.js";
import { s3ClientFromEnv } from "../src/s3/client.js";
import { downloadObject } from "../src/s3/download.js";
import { checkInputObject, checkWritable } from "../src/s3/preflight.js";
import { type AbortFailure, uploadFile } from "../src/s3/upload.js";
import { parseS3Uri } from "../src/s3/uri.js";
import { fetchSource } from "../src/upscale/s3-ends.js";

const BUCKET = "cli-transfer";
let s3server: LocalS3;
let s3: S3Client;
let dir: string;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

async function objectBytes(key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

const clientOfLocalS3 = () =>
  s3ClientFromEnv({
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
    AWS_REGION: s3server.region,
    AWS_ACCESS_KEY_ID: s3server.clientConfig.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3server.clientConfig.credentials.secretAccessKey,
  });

/** A client of the local S3 whose requests of the named commands fail before they are sent. */
function failing(commands: Record<string, (input: Record<string, unknown>) => boolean>): S3Client {
  const client = clientOfLocalS3();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const fails = commands[context.commandName ?? ""];
      if (fails?.(args.input as Record<string, unknown>))
        throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
      return next(args);
    },
    { step: "initialize" },
  );
  return client;
}

const openUploads = async (prefix: string) =>
  (await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }))).Uploads ?? [];

beforeAll(async () => {
  s3server = await startLocalS3({ buckets: [BUCKET] });
  s3 = clientOfLocalS3();
  dir = await mkdtemp(join(tmpdir(), "cli-s3-transfer-"));
});
afterAll(async () => {
  s3?.destroy();
  await s3server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("s3:// arguments", () => {
  it.each([
    ["s3://bucket/in.mp4", "object", { bucket: "bucket", key: "in.mp4" }],
    ["s3://my.bucket-1/a/b/c.mov", "object", { bucket: "my.bucket-1", key: "a/b/c.mov" }],
    ["s3://bucket/stage/", "prefix", { bucket: "bucket", key: "stage/" }],
    ["s3://bucket/", "prefix", { bucket: "bucket", key: "" }],
  ] as const)("reads %s as an %s", (text, kind, value) => {
    expect(parseS3Uri(text, kind)).toEqual({ ok: true, value });
  });

  it.each([
    ["s3://bucket", "object", "an s3:// object URI (s3://bucket/key)"],
    ["s3://bucket/dir/", "object", "an s3:// object URI"],
    ["s3://Bad_Bucket/k.mp4", "object", "whose bucket is a valid S3 bucket name"],
    ["s3:///k.mp4", "object", "whose bucket is a valid S3 bucket name"],
    ["s3://bucket/prefix", "prefix", "an s3:// prefix ending in /"],
  ] as const)("refuses %s as an %s, saying what it expected", (text, kind, expected) => {
    const parsed = parseS3Uri(text, kind);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(expected);
  });
});

describe("uploading the final output", () => {
  it("puts a small file with one PUT and accepts it only once S3's digest matches", async () => {
    const body = randomBytes(300_000);
    const file = join(dir, "small.mp4");
    await writeFile(file, body);
    const seen: number[] = [];
    const up = await uploadFile({
      s3,
      path: file,
      location: { bucket: BUCKET, key: "out/small.mp4" },
      onProgress: (done) => seen.push(done),
    });
    expect(up).toMatchObject({ uri: `s3://${BUCKET}/out/small.mp4`, bytes: body.length, parts: 0 });
    expect(up.sha256).toBe(sha256(body));
    // The local S3 keeps no SHA-256, so its MD5 ETag is what vouches for the bytes there.
    expect(up.verifiedBy).toBe("S3's ETag");
    expect(up.etag?.replace(/"/g, "")).toBe(md5(body));
    expect(seen.at(-1)).toBe(body.length);
    expect(sha256(await objectBytes("out/small.mp4"))).toBe(sha256(body));
  });

  it("uploads a file larger than a part in parts, in order, and reports every byte sent", async () => {
    const body = randomBytes(12 * 1024 * 1024 + 12_345);
    const file = join(dir, "large.mp4");
    await writeFile(file, body);
    let last = 0;
    const up = await uploadFile({
      s3,
      path: file,
      location: { bucket: BUCKET, key: "out/large.mp4" },
      partBytes: 5 * 1024 * 1024,
      onProgress: (done) => {
        last = done;
      },
    });
    expect(up.parts).toBe(3);
    expect(up.bytes).toBe(body.length);
    expect(last).toBe(body.length);
    expect(sha256(await objectBytes("out/large.mp4"))).toBe(sha256(body));
  });

  it("fails naming the URI, and leaves nothing behind, when the bucket does not exist", async () => {
    const file = join(dir, "nowhere.mp4");
    await writeFile(file, randomBytes(1000));
    await expect(
      uploadFile({ s3, path: file, location: { bucket: "no-such-bucket", key: "x.mp4" } }),
    ).rejects.toThrow(/s3:\/\/no-such-bucket\/x\.mp4: upload failed \(NoSuchBucket\)/);
  });
});

describe("a failed multipart upload of the final output", () => {
  const big = async (name: string) => {
    const file = join(dir, name);
    await writeFile(file, randomBytes(16 * 1024 * 1024 + 1));
    return file;
  };

  it("is aborted once its parts settled: S3 lists no upload of it afterwards", async () => {
    const client = failing({ UploadPartCommand: (input) => input["PartNumber"] === 2 });
    const failures: AbortFailure[] = [];
    await expect(
      uploadFile({
        s3: client,
        path: await big("refused-part.mp4"),
        location: { bucket: BUCKET, key: "refused/part.mp4" },
        partBytes: 5 * 1024 * 1024,
        onAbortFailed: (f) => failures.push(f),
      }),
    ).rejects.toThrow(/s3:\/\/cli-transfer\/refused\/part\.mp4: upload failed \(AccessDenied\)/);
    client.destroy();
    expect(failures).toEqual([]);
    expect(await openUploads("refused/")).toEqual([]);
  });

  it("says so when its abort fails too, naming the upload, and still throws the upload's own error", async () => {
    const client = failing({
      UploadPartCommand: (input) => input["PartNumber"] === 1,
      AbortMultipartUploadCommand: () => true,
    });
    const failures: AbortFailure[] = [];
    await expect(
      uploadFile({
        s3: client,
        path: await big("refused-abort.mp4"),
        location: { bucket: BUCKET, key: "kept/abort.mp4" },
        partBytes: 5 * 1024 * 1024,
        onAbortFailed: (f) => failures.push(f),
      }),
    ).rejects.toThrow(/upload failed \(AccessDenied\)/);
    client.destroy();
    const left = await openUploads("kept/");
    expect(left.map((u) => u.UploadId)).toHaveLength(1);
    expect(failures).toEqual([
      {
        uri: `s3://${BUCKET}/kept/abort.mp4`,
        uploadId: left[0]?.UploadId,
        error: "AccessDenied: Access Denied",
      },
    ]);
  });
});

describe("downloading the input", () => {
  it("streams an object to disk, verified against S3's ETag, with progress up to its size", async () => {
    const body = randomBytes(2 * 1024 * 1024 + 7);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "in/clip.mp4", Body: body }));
    const checked = await checkInputObject(s3, { bucket: BUCKET, key: "in/clip.mp4" }, "<input>");
    if (!("facts" in checked)) throw new Error(checked.problem.message);
    expect(checked.facts.bytes).toBe(body.length);
    const path = join(dir, "clip.mp4");
    let last = 0;
    const got = await downloadObject({
      s3,
      location: { bucket: BUCKET, key: "in/clip.mp4" },
      facts: checked.facts,
      path,
      onProgress: (done) => {
        last = done;
      },
    });
    expect(got).toMatchObject({ bytes: body.length, sha256: sha256(body), verifiedBy: "S3's ETag (MD5)" });
    expect(last).toBe(body.length);
    expect(sha256(await readFile(path))).toBe(sha256(body));
  });

  it("refuses an object that grew past what HeadObject said, and leaves no partial file", async () => {
    const body = randomBytes(100_000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "in/grown.mp4", Body: body }));
    const checked = await checkInputObject(s3, { bucket: BUCKET, key: "in/grown.mp4" }, "<input>");
    if (!("facts" in checked)) throw new Error(checked.problem.message);
    const sub = join(dir, "grown");
    await rm(sub, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(sub));
    await expect(
      downloadObject({
        s3,
        location: { bucket: BUCKET, key: "in/grown.mp4" },
        // As if it had been 1000 bytes when checked: more is never written.
        facts: { ...checked.facts, bytes: 1000, etag: undefined },
        path: join(sub, "grown.mp4"),
      }),
    ).rejects.toThrow(/GetObject offers 100000 bytes, HeadObject said 1000/);
    expect(await readdir(sub)).toEqual([]);
  });

  it("refuses bytes whose digest is not the one S3 vouches for", async () => {
    const body = randomBytes(50_000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "in/other.mp4", Body: body }));
    const checked = await checkInputObject(s3, { bucket: BUCKET, key: "in/other.mp4" }, "<input>");
    if (!("facts" in checked)) throw new Error(checked.problem.message);
    await expect(
      downloadObject({
        s3,
        location: { bucket: BUCKET, key: "in/other.mp4" },
        facts: { ...checked.facts, etag: undefined, sha256Base64: Buffer.alloc(32).toString("base64") },
        path: join(dir, "other.mp4"),
      }),
    ).rejects.toThrow(/s3:\/\/cli-transfer\/in\/other\.mp4: SHA-256 .*, S3 keeps AAAA/);
  });
});

describe("checking S3 locations before anything launches", () => {
  it.each([
    ["a missing object", { bucket: BUCKET, key: "in/missing.mp4" }, /no such object \(NoSuchKey\)/],
    ["a missing bucket", { bucket: "no-such-bucket", key: "in.mp4" }, /no such bucket \(NoSuchBucket\)/],
  ])("names %s as the input's problem", async (_what, location, message) => {
    const checked = await checkInputObject(s3, location, "<input>");
    expect("problem" in checked && checked.problem.path).toBe("<input>");
    expect("problem" in checked && checked.problem.message).toMatch(message);
  });

  it("accepts an output key that does not exist yet, and refuses one in a missing bucket", async () => {
    expect(await checkWritable(s3, { bucket: BUCKET, key: "fresh/out.mp4" }, "--out")).toBeUndefined();
    expect(await checkWritable(s3, { bucket: BUCKET, key: "stage/" }, "--stage")).toBeUndefined();
    const problem = await checkWritable(s3, { bucket: "no-such-bucket", key: "stage/" }, "--stage");
    expect(problem).toEqual({
      path: "--stage",
      message:
        "expected a location in an S3 bucket you can write to, got s3://no-such-bucket/stage/: no such bucket (NoSuchBucket)",
    });
  });

  it("says the credentials are wrong when S3 refuses their signature", async () => {
    const wrong = new S3Client({
      ...s3server.clientConfig,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "wrong" },
    });
    try {
      const checked = await checkInputObject(wrong, { bucket: BUCKET, key: "in/clip.mp4" }, "<input>");
      expect("problem" in checked && checked.problem.message).toMatch(
        /S3 refused the credentials \(SignatureDoesNotMatch\)/,
      );
      expect(await checkWritable(wrong, { bucket: BUCKET, key: "o.mp4" }, "--out")).toMatchObject({
        path: "--out",
      });
    } finally {
      wrong.destroy();
    }
  });
});

describe("a resumed run and its S3 input", () => {
  it("reuses the copy an earlier run fetched while the object is unchanged, and fetches again once it changed", async () => {
    const location = { bucket: BUCKET, key: "in/resume.mp4" };
    const facts = async () => {
      const checked = await checkInputObject(s3, location, "<input>");
      if (!("facts" in checked)) throw new Error(checked.problem.message);
      return checked.facts;
    };
    const workDir = await mkdtemp(join(dir, "work-"));
    const fetch = async (resume: boolean) =>
      fetchSource({
        s3,
        uri: "s3://cli-transfer/in/resume.mp4",
        location,
        facts: await facts(),
        workDir,
        reporter: silentReporter,
        resume,
      });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: location.key, Body: randomBytes(10_000) }));
    const first = await fetch(false);
    expect(first.downloaded?.bytes).toBe(10_000);
    const again = await fetch(true);
    expect(again.downloaded).toBeUndefined();
    expect(again.path).toBe(first.path);
    const changed = randomBytes(10_000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: location.key, Body: changed }));
    const refreshed = await fetch(true);
    expect(refreshed.downloaded?.sha256).toBe(sha256(changed));
    expect(sha256(await readFile(refreshed.path))).toBe(sha256(changed));
  });
});
