#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import type { LocalEcsConfig } from "./config.js";
import { LocalEcsError } from "./errors.js";
import { startLocalEcs } from "./local-ecs.js";

const portArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port 0-65535, got ${value}`);
  return n;
};

const program = new Command("ecs-fanout-local")
  .description(
    "A local Amazon ECS endpoint (with the EC2 and CloudWatch Logs calls ecs-fanout uses) running tasks as local processes.",
  )
  .option("-p, --port <n>", "TCP port (0: any free port)", portArg)
  .option("--host <address>", "loopback address to listen on")
  .option("-c, --config <file>", "JSON config file (see the README)")
  .action(async (opts: { port?: number; host?: string; config?: string }) => {
    let config: unknown = {};
    if (opts.config) {
      try {
        // Validated with the library's own schema by startLocalEcs, before anything starts.
        config = JSON.parse(readFileSync(opts.config, "utf8")) as unknown;
      } catch (error) {
        process.stderr.write(`ecs-fanout-local: cannot read ${opts.config}: ${(error as Error).message}\n`);
        process.exit(2);
      }
    }
    // Flags win over the file; a file that is not an object is left for the schema to report.
    if (typeof config === "object" && config !== null && !Array.isArray(config)) {
      config = {
        ...config,
        ...(opts.port === undefined ? {} : { port: opts.port }),
        ...(opts.host === undefined ? {} : { host: opts.host }),
      };
    }
    const local = await startLocalEcs(config as LocalEcsConfig);
    const env = {
      AWS_ENDPOINT_URL: local.endpoint,
      AWS_ENDPOINT_URL_ECS: local.endpoint,
      AWS_ENDPOINT_URL_EC2: local.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: local.endpoint,
      AWS_REGION: local.region,
      // botocore (the AWS CLI v1, boto3) reads only this one.
      AWS_DEFAULT_REGION: local.region,
      AWS_ACCESS_KEY_ID: local.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: local.clientConfig.credentials.secretAccessKey,
    };
    for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${v}\n`);
    process.stderr.write(
      `ecs-fanout-local: listening on ${local.endpoint} (pid ${process.pid}); Ctrl-C to stop\n`,
    );
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`ecs-fanout-local: ${signal}, stopping every task\n`);
      local.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    process.on("SIGHUP", stop);
  });

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof LocalEcsError ? error.message : String(error);
  process.stderr.write(`ecs-fanout-local: ${message}\n`);
  process.exit(error instanceof LocalEcsError && error.code === "LOCAL_CONFIG_INVALID" ? 2 : 1);
});
