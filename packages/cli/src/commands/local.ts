import { startLocalS3 } from "@ecs-fanout/local";
import { DEFAULT_CLUSTER } from "../defaults.js";
import { ExitCode } from "../errors.js";
import { type CliIo, println } from "../io.js";
import { normalizeLocalOptions } from "../parse/local-options.js";
import { openLocalTarget } from "../target/local.js";

/** The lines a shell evaluates to point the AWS SDK (and this CLI) at the endpoint. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `export ${k}=${v}`);
}

/** The bucket the local S3 starts with, for `s3://` inputs, outputs and staging. */
export const LOCAL_S3_BUCKET = "ecs-fanout-local";

/**
 * Runs the local ECS endpoint (and a local S3 beside it) in the foreground until SIGINT/SIGTERM, with the worker task
 * definitions registered, and prints what to export so other shells (and `ecs-fanout run`
 * without --local) use it.
 */
export async function localCommand(raw: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const { port, cluster } = normalizeLocalOptions(raw);

  const target = await openLocalTarget({ cluster, port, gpuInstances: 2 });
  const { local } = target;
  const creds = local.clientConfig.credentials;
  // One key pair for both, so the exported AWS_* variables serve ECS and S3 clients alike.
  const s3 = await startLocalS3({ buckets: [LOCAL_S3_BUCKET], credentials: creds }).catch(async (error) => {
    await target.close();
    throw error;
  });
  const env = {
    AWS_ENDPOINT_URL: local.endpoint,
    AWS_REGION: local.region,
    // botocore-based clients (the AWS CLI v1, boto3) read only this one.
    AWS_DEFAULT_REGION: local.region,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    // The SDKs' service-specific endpoint variable: S3 clients go to the local S3.
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  };
  println(io.stdout, exportLines(env).join("\n"));
  println(
    io.stderr,
    `# local ECS endpoint at ${local.endpoint} (region ${local.region}, account ${local.accountId})`,
  );
  println(
    io.stderr,
    `# local S3 at ${s3.endpoint} (s3rver, signatures checked; bucket s3://${LOCAL_S3_BUCKET}/)`,
  );
  println(
    io.stderr,
    `# cluster ${cluster}; task definitions ${target.taskDefinition} and ${target.gpuTaskDefinition} registered`,
  );
  const clusterFlag = cluster === DEFAULT_CLUSTER ? "" : ` --cluster ${cluster}`;
  println(
    io.stderr,
    `# in another shell: eval the lines above, then e.g. \`ecs-fanout ls${clusterFlag}\` or`,
  );
  println(
    io.stderr,
    // No --subnets: the core finds the endpoint's default VPC, as it would on AWS.
    `#   ecs-fanout run in.mp4 --out out.mp4${clusterFlag}`,
  );
  println(
    io.stderr,
    `#   ecs-fanout run in.mp4 --out out.mp4 --stage s3://${LOCAL_S3_BUCKET}/stage/${clusterFlag}`,
  );
  println(io.stderr, "# Ctrl-C stops the endpoint and every task it runs");

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(s);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  println(io.stderr, `# ${signal}: stopping the endpoint and its tasks`);
  await Promise.all([target.close(), s3.close()]);
  return ExitCode.ok;
}
