import { mkdtemp, readdir, rm } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, startLocalS3 } from "../src/index.js";

// The local S3 is s3rver with AbortMultipartUpload, ListMultipartUploads and ListParts patched
// in (patches/@20minutes__s3rver.patch): these tests hold it to S3's shapes and errors with the
// real AWS SDK, and show that signature checking covers the new operations too.

const BUCKET = "uploads";

describe("the local S3's multipart uploads in progress (patched into s3rver)", () => {
  let dir: string;
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "local-s3-multipart-"));
    s3 = await startLocalS3({ buckets: [BUCKET], directory: dir });
    client = new S3Client({
      ...s3.clientConfig,
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const create = async (key: string) =>
    (await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId as string;
  const part = (key: string, uploadId: string, n: number, body: string) =>
    client.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: n, Body: body }),
    );
  const listed = async (prefix?: string) =>
    (
      (await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }))).Uploads ?? []
    ).map((u) => ({ key: u.Key, uploadId: u.UploadId }));
  /** Every file the local S3 holds for the bucket, relative to its folder. */
  const filesOnDisk = async () =>
    (await readdir(join(dir, BUCKET), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(join(dir, BUCKET).length + 1));
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as Error & { $metadata: { httpStatusCode?: number } },
    );

  it("lists an upload from its creation until it is aborted, and the abort removes its parts from disk", async () => {
    const key = "out/a.bin";
    const uploadId = await create(key);
    await part(key, uploadId, 1, "first part");
    await part(key, uploadId, 2, "second");

    const list = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(list.Bucket).toBe(BUCKET);
    expect(list.IsTruncated).toBe(false);
    expect(list.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[key, uploadId]]);
    const initiated = list.Uploads?.[0]?.Initiated as Date;
    expect(Math.abs(initiated.getTime() - Date.now())).toBeLessThan(60_000);

    const parts = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
    expect(parts.UploadId).toBe(uploadId);
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 10],
      [2, 6],
    ]);
    expect((await filesOnDisk()).filter((f) => f.includes(uploadId)).length).toBeGreaterThanOrEqual(4);

    const aborted = await client.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }),
    );
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    expect(await listed()).toEqual([]);
    expect((await filesOnDisk()).filter((f) => f.includes(uploadId))).toEqual([]);
  });

  it("lists only the uploads under the prefix asked for", async () => {
    const a = await create("stage/run-1/s0.bin");
    const b = await create("out/s0.bin");
    expect(await listed("stage/")).toEqual([{ key: "stage/run-1/s0.bin", uploadId: a }]);
    expect(await listed("out/")).toEqual([{ key: "out/s0.bin", uploadId: b }]);
    expect((await listed()).map((u) => u.uploadId).sort()).toEqual([a, b].sort());
    for (const [key, id] of [
      ["stage/run-1/s0.bin", a],
      ["out/s0.bin", b],
    ] as const)
      await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    expect(await listed()).toEqual([]);
  });

  it("no longer lists an upload once it was completed", async () => {
    const key = "done/c.bin";
    const uploadId = await create(key);
    const { ETag } = await part(key, uploadId, 1, "whole");
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
      }),
    );
    expect(await listed()).toEqual([]);
    const error = await errorOf(
      client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })),
    );
    expect(error?.name).toBe("NoSuchUpload");
  });

  it("answers NoSuchUpload (404) to an unknown upload id, another key's id and an id that is a path", async () => {
    const key = "other/d.bin";
    const uploadId = await create(key);
    for (const [k, id] of [
      [key, "0123456789abcdef0123456789abcdef"],
      ["other/not-d.bin", uploadId],
      [key, "../../uploads"],
    ] as const) {
      const error = await errorOf(
        client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: k, UploadId: id })),
      );
      expect(error?.name, `${k} ${id}`).toBe("NoSuchUpload");
      expect(error?.$metadata.httpStatusCode).toBe(404);
      expect(
        (await errorOf(client.send(new ListPartsCommand({ Bucket: BUCKET, Key: k, UploadId: id }))))?.name,
      ).toBe("NoSuchUpload");
    }
    // Nothing was removed by the refused aborts.
    expect(await listed("other/")).toEqual([{ key, uploadId }]);
    await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  });

  it("refuses a part or a completion sent after the abort, and the late part does not bring the upload back", async () => {
    const key = "late/e.bin";
    const uploadId = await create(key);
    const { ETag } = await part(key, uploadId, 1, "one");
    await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
    expect((await errorOf(part(key, uploadId, 2, "two")))?.name).toBe("NoSuchUpload");
    const completing = client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
      }),
    );
    expect((await errorOf(completing))?.name).toBe("NoSuchUpload");
    expect(await listed()).toEqual([]);
    expect((await filesOnDisk()).filter((f) => f.includes(uploadId))).toEqual([]);
  });

  it("signs bucket-level requests as the SDK sends them: ListObjectsV2 works too", async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "listed/f.bin", Body: "f" }));
    const list = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "listed/" }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(["listed/f.bin"]);
  });

  describe("with signature checking on", () => {
    let key: string;
    let uploadId: string;
    beforeAll(async () => {
      key = "signed/g.bin";
      uploadId = await create(key);
    });
    afterAll(async () => {
      await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
    });

    it("refuses unsigned requests to list, list parts or abort (AccessDenied, 403)", async () => {
      for (const [method, path] of [
        ["GET", `/${BUCKET}/?uploads`],
        ["GET", `/${BUCKET}/${key}?uploadId=${uploadId}`],
        ["DELETE", `/${BUCKET}/${key}?uploadId=${uploadId}`],
      ] as const) {
        const res = await request(`${s3.endpoint}${path}`, { method });
        expect(res.statusCode, `${method} ${path}`).toBe(403);
        expect(await res.body.text()).toContain("<Code>AccessDenied</Code>");
      }
      expect(await listed("signed/")).toEqual([{ key, uploadId }]);
    });

    it("serves a presigned list, and refuses it once its signature was tampered with", async () => {
      const url = new URL(
        await getSignedUrl(client, new ListMultipartUploadsCommand({ Bucket: BUCKET }), { expiresIn: 60 }),
      );
      const ok = await request(url);
      expect(ok.statusCode).toBe(200);
      expect(await ok.body.text()).toContain(`<UploadId>${uploadId}</UploadId>`);
      const sig = url.searchParams.get("X-Amz-Signature") ?? "";
      url.searchParams.set("X-Amz-Signature", `${sig[0] === "0" ? "1" : "0"}${sig.slice(1)}`);
      const res = await request(url);
      expect(res.statusCode).toBe(403);
      expect(await res.body.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    });

    it("refuses a presigned abort pointed at another upload, and an abort signed with an unknown secret", async () => {
      const other = await create("signed/h.bin");
      const url = new URL(
        await getSignedUrl(
          client,
          new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "signed/h.bin", UploadId: other }),
          {
            expiresIn: 60,
          },
        ),
      );
      url.pathname = url.pathname.replace("h.bin", "g.bin");
      url.searchParams.set("uploadId", uploadId);
      const res = await request(url, { method: "DELETE" });
      expect(res.statusCode).toBe(403);
      expect(await res.body.text()).toContain("<Code>SignatureDoesNotMatch</Code>");

      const stranger = new S3Client({
        ...s3.clientConfig,
        credentials: {
          accessKeyId: s3.clientConfig.credentials.accessKeyId,
          secretAccessKey: "not-the-secret",
        },
        maxAttempts: 1,
      });
      const error = await errorOf(
        stranger.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })),
      );
      stranger.destroy();
      expect(error?.name).toBe("SignatureDoesNotMatch");
      expect((await listed("signed/")).map((u) => u.uploadId).sort()).toEqual([uploadId, other].sort());
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "signed/h.bin", UploadId: other }),
      );
    });
  });
});
