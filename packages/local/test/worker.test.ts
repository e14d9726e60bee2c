import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalEcs } from "../src/index.js";
import { findWorkerPackage } from "../src/tasks/images.js";
import { closeHarness, fargateTaskDef, type Harness, network, waitFor, waitForStatus } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await closeHarness(h);
  h = undefined;
});

describe.skipIf(findWorkerPackage() === undefined)("the default image: the @ecs-fanout/worker bin", () => {
  it("runs the worker, which learns its task ARN from the metadata endpoint", async () => {
    const local = await startLocalEcs({
      timings: { provisioningMs: 10, pullMs: 10, stopTimeoutMsScale: 0.1 },
    });
    const config = { ...local.clientConfig, maxAttempts: 1 };
    h = {
      local,
      ecs: new ECSClient(config),
      ec2: new EC2Client(config),
      logs: new CloudWatchLogsClient(config),
    };
    const def = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDef()));
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: def.taskDefinition?.taskDefinitionArn,
        launchType: "FARGATE",
        networkConfiguration: network(),
        overrides: {
          containerOverrides: [
            {
              name: "worker",
              environment: [
                { name: "FANOUT_TOKEN", value: "t0k" },
                { name: "FANOUT_RUN_ID", value: "run-1" },
              ],
            },
          ],
        },
      }),
    );
    const arn = run.tasks?.[0]?.taskArn ?? "";
    const task = await waitForStatus(h, arn, "RUNNING");
    const ip = task.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value;
    const info = await waitFor(
      "the worker's /v1/info",
      async () => {
        try {
          const res = await fetch(`http://${ip}:8080/v1/info`, { headers: { authorization: "Bearer t0k" } });
          return res.ok ? ((await res.json()) as { runId?: string; taskArn?: string }) : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
    );
    expect(info).toMatchObject({ runId: "run-1", taskArn: arn });
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    const stopped = await waitForStatus(h, arn, "STOPPED");
    expect(stopped.containers?.[0]?.exitCode).toBe(0);
  });
});
