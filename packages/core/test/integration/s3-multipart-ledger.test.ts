import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../src/logger.js";
import { makeS3Client } from "../../src/s3/client.js";
import { MultipartLedger, type MultipartNote } from "../../src/s3/multipart-ledger.js";

// The run's ledger of open multipart uploads against the local S3 (which lists and aborts them):
// a failed abort is a warning that leaves the upload open, never silence and never a throw.

const BUCKET = "ledger";

let s3: LocalS3;
let client: S3Client;
/** Signs with a wrong secret: the local S3 refuses its every request (SignatureDoesNotMatch). */
let refused: S3Client;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
  const { credentials } = s3.clientConfig;
  client = makeS3Client({ region: s3.region, credentials }, { endpoint: s3.endpoint });
  refused = makeS3Client(
    { region: s3.region, credentials: { ...credentials, secretAccessKey: "not-the-secret" } },
    { endpoint: s3.endpoint },
  );
});
afterAll(async () => {
  client?.destroy();
  refused?.destroy();
  await s3?.close();
});

const create = async (key: string) => ({
  location: { bucket: BUCKET, key },
  uploadId: (await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key })))
    .UploadId as string,
});
const listed = async (prefix: string) =>
  (
    (await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }))).Uploads ?? []
  ).map((u) => u.UploadId);

function ledgerWith(s3Client: S3Client) {
  const notes: MultipartNote[] = [];
  const warnings: Array<{ message: string; fields: unknown }> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message, fields) => warnings.push({ message, fields }),
    error() {},
  };
  return { ledger: new MultipartLedger(s3Client, (n) => notes.push(n), logger), notes, warnings };
}

describe("the run's ledger of open multipart uploads", () => {
  it("aborts an upload it noted open, and notes it closed: S3 lists it no more", async () => {
    const { ledger, notes } = ledgerWith(client);
    const upload = await create("ok/a.bin");
    ledger.opened(upload, "output", "s0");
    expect(await listed("ok/")).toEqual([upload.uploadId]);
    expect(await ledger.abort(upload)).toBe(true);
    expect(await listed("ok/")).toEqual([]);
    expect(notes).toEqual([
      {
        type: "multipart.opened",
        bucket: BUCKET,
        key: "ok/a.bin",
        uploadId: upload.uploadId,
        purpose: "output",
        segmentId: "s0",
      },
      {
        type: "multipart.closed",
        bucket: BUCKET,
        key: "ok/a.bin",
        uploadId: upload.uploadId,
        outcome: "aborted",
      },
    ]);
    expect(ledger.openUploads).toEqual([]);
  });

  it("reports a failed abort as a warning and an event, keeps the upload open, and does not throw", async () => {
    const { ledger, notes, warnings } = ledgerWith(refused);
    const upload = await create("refused/b.bin");
    ledger.opened(upload, "stage", "s1");
    expect(await ledger.abort(upload)).toBe(false);
    const failed = notes.find((n) => n.type === "multipart.abortFailed");
    expect(failed).toMatchObject({ bucket: BUCKET, key: "refused/b.bin", uploadId: upload.uploadId });
    expect(failed && "error" in failed ? failed.error : "").toMatch(/^SignatureDoesNotMatch: /);
    expect(warnings.map((w) => w.message)).toEqual(["aborting a multipart upload failed; it is left open"]);
    // Neither the event nor the log line carries a secret or a signature.
    expect(JSON.stringify([notes, warnings])).not.toMatch(/not-the-secret|X-Amz-Signature|StringToSign/);
    expect(ledger.openUploads).toEqual([upload]);
    expect(await listed("refused/")).toEqual([upload.uploadId]);
    // The end of the run tries again (still refused here): it says how many are left.
    expect(await ledger.abortOpen()).toBe(1);
    await ledgerWith(client).ledger.abort(upload, "cleanup");
  });

  it("closes as gone an upload S3 no longer knows, and aborts an earlier run's upload with its run id", async () => {
    const { ledger, notes } = ledgerWith(client);
    const upload = await create("earlier/c.bin");
    expect(await ledger.abort(upload, "run-before")).toBe(true);
    expect(await ledger.abort(upload, "run-before")).toBe(true);
    expect(notes.map((n) => ("outcome" in n ? [n.outcome, n.fromRunId] : [n.type]))).toEqual([
      ["aborted", "run-before"],
      ["gone", "run-before"],
    ]);
    expect(await listed("earlier/")).toEqual([]);
  });

  it("sends one abort when the attempt and the end of the run abort the same upload at once", async () => {
    const { ledger, notes } = ledgerWith(client);
    const upload = await create("twice/d.bin");
    ledger.opened(upload, "output", "s2");
    const [one, two] = await Promise.all([ledger.abort(upload), ledger.abortOpen()]);
    expect([one, two]).toEqual([true, 0]);
    expect(notes.filter((n) => n.type === "multipart.closed")).toHaveLength(1);
    // Once closed, a late abort sends nothing and notes nothing.
    expect(await ledger.abort(upload)).toBe(true);
    expect(notes.filter((n) => n.type === "multipart.closed")).toHaveLength(1);
  });
});
