import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type LocalS3, startLocalS3 } from "@ecs-fanout/local";
import { type LocalTarget, openLocalTarget } from "../../src/target/local.js";

/**
 * What `ecs-fanout local` gives a shell, owned by a test: a local ECS endpoint with the worker task
 * definitions registered and a real local S3 (s3rver, signatures checked) that accepts the same key
 * pair, plus the environment that points the CLI at both.
 */
export interface LocalStack {
  target: LocalTarget;
  s3server: LocalS3;
  s3: S3Client;
  /** The folder the local S3 keeps its objects in, when the test chose one. */
  directory: string | undefined;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalStack(
  cluster: string,
  buckets: readonly string[],
  directory?: string,
): Promise<LocalStack> {
  const target = await openLocalTarget({ cluster });
  const credentials = target.local.clientConfig.credentials;
  const s3server = await startLocalS3({ buckets, credentials, ...(directory ? { directory } : {}) }).catch(
    async (error) => {
      await target.close();
      throw error;
    },
  );
  const s3 = new S3Client({ ...s3server.clientConfig, credentials });
  return {
    target,
    s3server,
    s3,
    directory,
    env: {
      AWS_ENDPOINT_URL: target.local.endpoint,
      AWS_ENDPOINT_URL_S3: s3server.endpoint,
      AWS_REGION: target.local.region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      // No instance-metadata lookups from a test that leaves the credentials out on purpose.
      AWS_EC2_METADATA_DISABLED: "true",
    },
    async close() {
      s3.destroy();
      await Promise.all([target.close(), s3server.close()]);
    },
  };
}

/** An object's bytes, and what HeadObject says about it. */
export async function readObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ body: Buffer; etag: string; md5: string; sha256: string }> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from(await got.Body!.transformToByteArray());
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return {
    body,
    etag: (head.ETag ?? "").replace(/"/g, ""),
    md5: createHash("md5").update(body).digest("hex"),
    sha256: createHash("sha256").update(body).digest("hex"),
  };
}

/** Whether an object exists (HeadObject answers 200). */
export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}
