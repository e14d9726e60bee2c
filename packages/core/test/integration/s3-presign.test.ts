import { createHash, randomBytes } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeS3Client } from "../../src/s3/client.js";
import { expiresInFor, Presigner } from "../../src/s3/presign.js";

const BUCKET = "presign-test";
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

async function put(url: string, body: Buffer, checksumHex: string) {
  const res = await request(url, {
    method: "PUT",
    body,
    headers: { "content-length": String(body.length), "x-amz-checksum-sha256": b64(checksumHex) },
  });
  return { status: res.statusCode, etag: res.headers.etag, text: await res.body.text() };
}

describe("the presigner against a real S3 (s3rver, signatures checked)", () => {
  let s3: LocalS3;
  let client: S3Client;
  let presigner: Presigner;
  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: [BUCKET] });
    client = makeS3Client(
      { region: s3.region, credentials: s3.clientConfig.credentials },
      { endpoint: s3.endpoint },
    );
    presigner = new Presigner(client);
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  it("makes a PUT that stores exactly the bytes whose checksum it was signed with", async () => {
    const body = randomBytes(4096);
    const location = { bucket: BUCKET, key: "out/one.bin" };
    const url = await presigner.put(location, { bytes: body.length, sha256: sha(body) }, 60);
    expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")).toContain("x-amz-checksum-sha256");
    const answer = await put(url, body, sha(body));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.etag).toBe(`"${md5(body)}"`);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: location.key }));
    expect(Buffer.from(await (got.Body?.transformToByteArray() ?? new Uint8Array()))).toEqual(body);
  });

  it("makes a PUT that S3 refuses with any other checksum header", async () => {
    const body = randomBytes(1024);
    const url = await presigner.put(
      { bucket: BUCKET, key: "out/two.bin" },
      { bytes: body.length, sha256: sha(body) },
      60,
    );
    const other = randomBytes(1024);
    const answer = await put(url, other, sha(other));
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("SignatureDoesNotMatch");
  });

  it("makes a GET that expires", async () => {
    const body = randomBytes(100);
    const location = { bucket: BUCKET, key: "in/expiring.bin" };
    expect(
      (await put(await presigner.put(location, { bytes: 100, sha256: sha(body) }, 60), body, sha(body)))
        .status,
    ).toBe(200);
    // SigV4 dates are whole seconds: a URL good for 2 s has at least 1 s left when it is made.
    const url = await presigner.get(location, 2);
    expect((await request(url)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 3_100));
    const late = await request(url);
    expect(late.statusCode).toBe(403);
    expect(await late.body.text()).toContain("Request has expired");
  });

  it("makes a multipart upload whose parts are signed with their own checksums", async () => {
    const partBytes = 5 * 1024 * 1024;
    const body = randomBytes(partBytes + 12_345);
    const pieces = [body.subarray(0, partBytes), body.subarray(partBytes)];
    const sums = pieces.map((p) => ({ sha256: sha(p), md5: md5(p), bytes: p.length }));
    const location = { bucket: BUCKET, key: "out/multi.bin" };
    const target = await presigner.createMultipart(location);
    const plan = await presigner.parts(target, partBytes, sums, 60);
    if (!("multipart" in plan)) throw new Error("expected a multipart plan");
    const etags = [];
    for (const [index, part] of plan.multipart.parts.entries()) {
      const piece = pieces[index] as Buffer;
      const answer = await put(part.url, piece, sha(piece));
      expect(answer.status, answer.text).toBe(200);
      etags.push({ number: part.number, etag: answer.etag as string });
    }
    // A part URL refuses another part's bytes.
    const swapped = await put(
      (plan.multipart.parts[0] as { url: string }).url,
      pieces[1] as Buffer,
      sums[1]?.sha256 ?? "",
    );
    expect(swapped.status).toBe(403);
    await presigner.complete(target, etags, sums);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: location.key }));
    expect(head.ContentLength).toBe(body.length);
  });

  it("gives URLs a lifetime of the attempt's remaining time plus a minute", () => {
    expect(expiresInFor(Date.now() + 120_000)).toBeGreaterThanOrEqual(179);
    expect(expiresInFor(Date.now() + 120_000)).toBeLessThanOrEqual(181);
    expect(expiresInFor(Date.now() - 10_000_000)).toBe(1);
  });
});
