import { Agent } from "node:http";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, startLocalS3 } from "../src/index.js";

const BUCKET = "media";

describe("the local S3 (s3rver, signature checking on)", () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: [BUCKET] });
    client = new S3Client({
      ...s3.clientConfig,
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
    });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "in/a.bin", Body: "hello s3" }));
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  const presignGet = (key: string, expiresIn: number) =>
    getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn });

  it("listens on 127.0.0.1 and serves an object to a presigned GET", async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await request(await presignGet("in/a.bin", 60));
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe("hello s3");
  });

  it("refuses a presigned URL whose signature was tampered with", async () => {
    const url = new URL(await presignGet("in/a.bin", 60));
    const sig = url.searchParams.get("X-Amz-Signature") ?? "";
    url.searchParams.set("X-Amz-Signature", `${sig[0] === "0" ? "1" : "0"}${sig.slice(1)}`);
    const res = await request(url);
    expect(res.statusCode).toBe(403);
    expect(await res.body.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("refuses a presigned URL pointed at another key", async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "in/b.bin", Body: "other" }));
    const url = new URL(await presignGet("in/a.bin", 60));
    url.pathname = url.pathname.replace("a.bin", "b.bin");
    const res = await request(url);
    expect(res.statusCode).toBe(403);
    expect(await res.body.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("refuses a presigned URL once it has expired", async () => {
    const url = await presignGet("in/a.bin", 1);
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await request(url);
    expect(res.statusCode).toBe(403);
    const body = await res.body.text();
    expect(body).toContain("<Code>AccessDenied</Code>");
    expect(body).toContain("Request has expired");
  });

  it("refuses a request signed with an unknown secret", async () => {
    const stranger = new S3Client({
      ...s3.clientConfig,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "not-the-secret" },
      maxAttempts: 1,
    });
    const error = await stranger
      .send(new GetObjectCommand({ Bucket: BUCKET, Key: "in/a.bin" }))
      .catch((e: unknown) => e);
    stranger.destroy();
    expect((error as Error).name).toBe("SignatureDoesNotMatch");
  });
});
