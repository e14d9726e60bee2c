import { Agent } from "node:http";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import type { LocalEcsConfig } from "../config.js";
import { type LocalEcs, startLocalEcs } from "../local-ecs.js";

/**
 * The one way tests start a local endpoint and register a worker on it:
 * `import { startTestEndpoint, workerDefinition } from "@ecs-fanout/local/testing"`.
 * Nothing here depends on a test runner; close the endpoint in your runner's after-hook.
 */

/** Timings that keep tests fast: milliseconds where AWS takes seconds. */
export const FAST_TIMINGS = {
  provisioningMs: 10,
  pullMs: 10,
  stopTimeoutMsScale: 0.01,
  spotNoticeMs: 300,
  healthCheckMsScale: 0.01,
} as const;

/** A subnet the test endpoint's account has besides its default VPC (unknown subnets are refused). */
export const TEST_SUBNET = "subnet-0a11ed0000000001a";
/** The default VPC's subnet in zone a. */
export const DEFAULT_SUBNET = "subnet-0defa00000000001a";

/** An execution role ARN for the endpoint's account: Fargate needs one for awslogs. */
export const executionRole = (accountId = "000000000000"): string =>
  `arn:aws:iam::${accountId}:role/ecsTaskExecutionRole`;

/** SDK v3 clients of one endpoint. */
export interface TestClients {
  ecs: ECSClient;
  ec2: EC2Client;
  logs: CloudWatchLogsClient;
}

/**
 * Clients with no retries (a test should see the first answer) and no keep-alive: a request on
 * a pooled socket the endpoint is closing (its 5 s idle timeout) fails with ECONNRESET, which
 * only a retry would hide.
 */
export function testClients(clientConfig: LocalEcs["clientConfig"]): TestClients & { destroy(): void } {
  const config = {
    ...clientConfig,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const logs = new CloudWatchLogsClient(config);
  return {
    ecs,
    ec2,
    logs,
    destroy: () => {
      ecs.destroy();
      ec2.destroy();
      logs.destroy();
    },
  };
}

export interface TestEndpoint extends TestClients {
  local: LocalEcs;
  /** Destroys the clients, then stops every task and the endpoint. */
  close(): Promise<void>;
}

/**
 * A local endpoint with {@link FAST_TIMINGS} (each timing given in `config.timings` wins), the
 * clusters in `config.clusters` (default: a cluster named "default", which a real account only
 * has once it made it), {@link TEST_SUBNET} besides the default VPC, and clients for it.
 */
export async function startTestEndpoint(config: LocalEcsConfig = {}): Promise<TestEndpoint> {
  const local = await startLocalEcs({
    subnets: [TEST_SUBNET],
    ...config,
    clusters: config.clusters ?? ["default"],
    timings: { ...FAST_TIMINGS, ...config.timings },
  });
  const clients = testClients(local.clientConfig);
  return {
    local,
    ecs: clients.ecs,
    ec2: clients.ec2,
    logs: clients.logs,
    close: async () => {
      clients.destroy();
      await local.close();
    },
  };
}

export interface WorkerDefinitionOptions {
  /** @default "worker" */
  family?: string;
  /** @default "ecs-fanout-worker:latest" (the endpoint's default mapping runs the worker bin) */
  image?: string;
  /** Environment of the container. */
  env?: Record<string, string>;
  /** awslogs group, created on first use. @default "/ecs/<family>" */
  logGroup?: string;
  /** @default "1024" */
  cpu?: string;
  /** @default "2048" */
  memory?: string;
  /** @default 8080 */
  port?: number;
  /** Account of the execution role. @default "000000000000" */
  accountId?: string;
}

/** A Fargate task definition for one worker container, valid as AWS checks it (execution role included). */
export function workerDefinition(options: WorkerDefinitionOptions = {}): RegisterTaskDefinitionCommandInput {
  const family = options.family ?? "worker";
  return {
    family,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: options.cpu ?? "1024",
    memory: options.memory ?? "2048",
    executionRoleArn: executionRole(options.accountId),
    containerDefinitions: [
      {
        name: "worker",
        image: options.image ?? "ecs-fanout-worker:latest",
        essential: true,
        portMappings: [{ containerPort: options.port ?? 8080 }],
        environment: Object.entries(options.env ?? {}).map(([name, value]) => ({ name, value })),
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": options.logGroup ?? `/ecs/${family}`,
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "fanout",
            "awslogs-create-group": "true",
          },
        },
      },
    ],
  };
}

/** Registers `input` (default: {@link workerDefinition}) and returns its ARN. */
export async function registerWorker(
  endpoint: Pick<TestClients, "ecs">,
  input: RegisterTaskDefinitionCommandInput = workerDefinition(),
): Promise<string> {
  const out = await endpoint.ecs.send(new RegisterTaskDefinitionCommand(input));
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error(`RegisterTaskDefinition returned no ARN for ${input.family}`);
  return arn;
}
