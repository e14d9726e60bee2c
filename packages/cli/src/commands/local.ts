import { DEFAULT_CLUSTER } from "../defaults.js";
import { ExitCode } from "../errors.js";
import { type CliIo, println } from "../io.js";
import { normalizeLocalOptions } from "../parse/local-options.js";
import { openLocalTarget } from "../target/local.js";

/** The lines a shell evaluates to point the AWS SDK (and this CLI) at the endpoint. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `export ${k}=${v}`);
}

/**
 * Runs the local ECS endpoint in the foreground until SIGINT/SIGTERM, with the worker task
 * definitions registered, and prints what to export so other shells (and `ecs-fanout run`
 * without --local) use it.
 */
export async function localCommand(raw: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const { port, cluster } = normalizeLocalOptions(raw);

  const target = await openLocalTarget({ cluster, port, gpuInstances: 2 });
  const { local } = target;
  const creds = local.clientConfig.credentials;
  const env = {
    AWS_ENDPOINT_URL: local.endpoint,
    AWS_REGION: local.region,
    // botocore-based clients (the AWS CLI v1, boto3) read only this one.
    AWS_DEFAULT_REGION: local.region,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  };
  println(io.stdout, exportLines(env).join("\n"));
  println(
    io.stderr,
    `# local ECS endpoint at ${local.endpoint} (region ${local.region}, account ${local.accountId})`,
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
  await target.close();
  return ExitCode.ok;
}
