import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { type LocalEcs, type LocalEcsConfig, startLocalEcs } from "../src/index.js";

export const TASK_SCRIPT = fileURLToPath(new URL("./fixtures/task.mjs", import.meta.url));

/** Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export interface Harness {
  local: LocalEcs;
  ecs: ECSClient;
  ec2: EC2Client;
  logs: CloudWatchLogsClient;
}

/** A local endpoint where every image runs the tiny test task, with fast timings. */
export async function startHarness(config: LocalEcsConfig = {}): Promise<Harness> {
  const local = await startLocalEcs({
    images: [{ match: "*", command: ["node", TASK_SCRIPT] }],
    timings: {
      provisioningMs: 10,
      pullMs: 10,
      stopTimeoutMsScale: 0.01,
      spotNoticeMs: 300,
      ...config.timings,
    },
    ...config,
  });
  const clientConfig = { ...local.clientConfig, maxAttempts: 1 };
  return {
    local,
    ecs: new ECSClient(clientConfig),
    ec2: new EC2Client(clientConfig),
    logs: new CloudWatchLogsClient(clientConfig),
  };
}

export async function closeHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  h.ecs.destroy();
  h.ec2.destroy();
  h.logs.destroy();
  await h.local.close();
}

export const fargateTaskDef = (
  overrides: Partial<RegisterTaskDefinitionCommandInput> = {},
  env: Record<string, string> = {},
): RegisterTaskDefinitionCommandInput => ({
  family: "worker",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  cpu: "1024",
  memory: "2048",
  containerDefinitions: [
    {
      name: "worker",
      image: "ecs-fanout-worker:latest",
      essential: true,
      portMappings: [{ containerPort: 8080 }],
      environment: Object.entries(env).map(([name, value]) => ({ name, value })),
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/ecs/worker",
          "awslogs-region": "us-east-1",
          "awslogs-stream-prefix": "fanout",
          "awslogs-create-group": "true",
        },
      },
    },
  ],
  ...overrides,
});

export async function register(
  h: Harness,
  input: RegisterTaskDefinitionCommandInput = fargateTaskDef(),
): Promise<string> {
  const out = await h.ecs.send(new RegisterTaskDefinitionCommand(input));
  return out.taskDefinition?.taskDefinitionArn ?? "";
}

export const network = (assignPublicIp: "ENABLED" | "DISABLED" = "DISABLED") => ({
  awsvpcConfiguration: { subnets: ["subnet-0abc"], securityGroups: ["sg-0abc"], assignPublicIp },
});

export async function describe1(h: Harness, arn: string, cluster = "default"): Promise<Task> {
  const out = await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn], include: ["TAGS"] }));
  const task = out.tasks?.[0];
  if (!task) throw new Error(`task ${arn} not described: ${JSON.stringify(out.failures)}`);
  return task;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const waitForStatus = (
  h: Harness,
  arn: string,
  status: string,
  cluster = "default",
  timeoutMs?: number,
) =>
  waitFor(
    `${arn} to be ${status}`,
    async () => {
      const t = await describe1(h, arn, cluster);
      return t.lastStatus === status ? t : undefined;
    },
    timeoutMs,
  );
