import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

// s3rver (the @20minutes fork: maintained, and it verifies SigV4) is CommonJS without types;
// these are the few parts used here.
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  allowMismatchedSignatures: boolean;
  vhostBuckets: boolean;
  configureBuckets: Array<{ name: string }>;
}) => S3rverServer;
/** s3rver's account registry: the only way to let it know another key pair. */
interface S3rverAccounts {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}
// CJS build: __filename; ESM: import.meta.url.
const load = createRequire(typeof __filename === "string" ? __filename : import.meta.url);

/**
 * The access key pair the local S3 knows (s3rver's built-in account). Every request must be
 * signed with it (SigV4, header or presigned query), or it is refused.
 */
export const LOCAL_S3_CREDENTIALS = Object.freeze({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });

/** Options of {@link startLocalS3}. */
export interface LocalS3Options {
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /** Buckets to create before the first request. @default [] */
  buckets?: readonly string[];
  /**
   * The key pair requests must be signed with (besides s3rver's own `S3RVER`/`S3RVER`), so one
   * set of credentials serves the local ECS endpoint and the local S3 alike.
   * @default LOCAL_S3_CREDENTIALS
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Folder that holds the objects; a fresh temporary folder (removed on close) when absent. */
  directory?: string;
}

/** A running local S3 (s3rver) with signature checking on. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: give it to an S3 client as `endpoint` with `forcePathStyle: true`. */
  readonly endpoint: string;
  readonly region: string;
  /** What an AWS SDK v3 S3Client needs to talk to it. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Stops the server; removes the objects when the folder was a temporary one. */
  close(): Promise<void>;
}

/**
 * Starts a real S3 implementation nobody on this project wrote (s3rver, from npm) on 127.0.0.1,
 * with SigV4 signature checking on: a tampered or expired presigned URL fails there as on AWS.
 * AbortMultipartUpload, ListMultipartUploads and ListParts are not in s3rver 5.0.0: this project
 * patches them in (patches/@20minutes__s3rver.patch, applied by `pnpm install`) so its tests can
 * prove that no multipart upload is left behind; the same patch makes bucket-level requests
 * (ListObjectsV2 too) verify as the AWS SDKs sign them. S3's additional checksums
 * (x-amz-checksum-*) are still not implemented; docs/local-endpoint.md says how tests cover that.
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const owned = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), "ecs-fanout-s3-")));
  const credentials = { ...(options.credentials ?? LOCAL_S3_CREDENTIALS) };
  if (credentials.accessKeyId !== LOCAL_S3_CREDENTIALS.accessKeyId) {
    const accounts = load("@20minutes/s3rver/lib/models/account.js") as S3rverAccounts;
    accounts.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  }
  const S3rver = load("@20minutes/s3rver") as S3rverClass;
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory,
    allowMismatchedSignatures: false,
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    if (owned) await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const region = "us-east-1";
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    region,
    clientConfig: { endpoint, region, forcePathStyle: true, credentials },
    close() {
      closed ??= (async () => {
        await server.close();
        if (owned) await rm(directory, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
