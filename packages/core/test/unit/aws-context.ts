import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { resolveClients } from "../../src/aws/clients.js";
import type { AwsContext } from "../../src/aws/context.js";
import { createBuckets } from "../../src/aws/token-bucket.js";
import { quietLogger } from "../../src/logger.js";

const config = { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } };

/** Real SDK clients (to be mocked with aws-sdk-client-mock), fast buckets and tiny backoffs. */
export function testContext(signal?: AbortSignal): AwsContext {
  return {
    clients: resolveClients({
      ecs: new ECSClient(config),
      ec2: new EC2Client(config),
      logs: new CloudWatchLogsClient(config),
    }),
    buckets: createBuckets({
      modifyPerSecond: 1000,
      modifyBurst: 1000,
      readPerSecond: 1000,
      readBurst: 1000,
      otherPerSecond: 1000,
      otherBurst: 1000,
    }),
    policy: { retries: 3, minBackoffMs: 1, maxBackoffMs: 5, logger: quietLogger },
    cluster: "c",
    signal,
  };
}

/** An SDK-shaped service error. */
export function awsError(name: string, message = "from AWS"): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: 400, requestId: "req-1" },
    $fault: "client",
  });
}
