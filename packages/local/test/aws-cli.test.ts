// Clients nobody on the project wrote: boto3 (waiters, paginators) and the AWS CLI (waiters,
// `logs tail` where the CLI has it), pointed at the endpoint as a user would. Each part is
// skipped, with the reason in its name, on a machine without the tool (.ci/run installs them).
import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fargateTaskDef, fileHarness, runOne, waitForStatus } from "./helpers.js";

const run = promisify(execFile);
const hasBoto3 = spawnSync("python3", ["-c", "import boto3"], { stdio: "ignore" }).status === 0;
const awsVersion = spawnSync("aws", ["--version"], { encoding: "utf8" });
const hasAws = awsVersion.status === 0;
// `logs tail` came with the AWS CLI v2.
const hasLogsTail = hasAws && /aws-cli\/2\./.test(`${awsVersion.stdout}${awsVersion.stderr}`);
const BOTO3_FLOW = fileURLToPath(new URL("./fixtures/boto3-flow.py", import.meta.url));
const STARTED = JSON.stringify({ event: "worker.started", port: 8080 });

describe("real AWS clients other than the JS SDK", () => {
  const h = fileHarness({ clusters: ["default"] });
  // What `ecs-fanout-local` prints: botocore reads AWS_DEFAULT_REGION, not AWS_REGION.
  const env = () => ({
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "/tmp",
    AWS_DEFAULT_REGION: h.local.region,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  });
  const aws = async (...args: string[]) => {
    const { stdout } = await run("aws", ["--endpoint-url", h.local.endpoint, "--output", "json", ...args], {
      env: env(),
      timeout: 60_000,
    });
    return stdout.trim() === "" ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };

  it.skipIf(!hasBoto3)(
    `boto3: run, waiters tasks_running and tasks_stopped, list_tasks and filter_log_events paginators${hasBoto3 ? "" : " (skipped: python3 has no boto3)"}`,
    async () => {
      const definition = fargateTaskDef({ family: "boto" }, { TASK_LOG: STARTED });
      const { stdout } = await run("python3", [BOTO3_FLOW], {
        env: { ...env(), LOCAL_ENDPOINT: h.local.endpoint, TASK_DEFINITION: JSON.stringify(definition) },
        timeout: 90_000,
      });
      const seen = JSON.parse(stdout) as {
        listed: string[];
        launched: string[];
        stopCodes: string[];
        events: string[];
        groups: string[];
      };
      expect(seen.launched).toHaveLength(3);
      expect(seen.listed).toEqual(seen.launched);
      expect(seen.stopCodes).toEqual(["UserInitiated"]);
      expect(seen.events).toEqual([STARTED, STARTED, STARTED]);
      // group-name filters every VPC's groups: the default VPC's and the test subnet's VPC's.
      expect(seen.groups).toContain("sg-0defa000000000001");
    },
    120_000,
  );

  it.skipIf(!hasAws)(
    `aws CLI: describe calls with filters, the tasks-stopped waiter, a JSON filter pattern${hasAws ? "" : " (skipped: no aws command)"}`,
    async () => {
      const subnets = (await aws(
        "ec2",
        "describe-subnets",
        "--filters",
        "Name=default-for-az,Values=true",
      )) as {
        Subnets: { SubnetId: string }[];
      };
      expect(subnets.Subnets).toHaveLength(3);
      const tagged = (await aws("ec2", "describe-vpcs", "--filters", "Name=tag:team,Values=none")) as {
        Vpcs: unknown[];
      };
      expect(tagged.Vpcs).toEqual([]);
      const arn = await runOne(h, { definition: fargateTaskDef({ family: "cli" }, { TASK_LOG: STARTED }) });
      await waitForStatus(h, arn, "RUNNING");
      await aws("ecs", "stop-task", "--task", arn, "--reason", "cli");
      await aws("ecs", "wait", "tasks-stopped", "--tasks", arn);
      const described = (await aws("ecs", "describe-tasks", "--tasks", arn)) as {
        tasks: { lastStatus: string; stopCode: string }[];
      };
      expect(described.tasks[0]).toMatchObject({ lastStatus: "STOPPED", stopCode: "UserInitiated" });
      const stream = `fanout/worker/${arn.split("/").at(-1)}`;
      const events = (await aws(
        "logs",
        "filter-log-events",
        "--log-group-name",
        "/ecs/worker",
        "--log-stream-names",
        stream,
        "--filter-pattern",
        '{ $.event = "worker.started" }',
      )) as { events: { message: string }[] };
      expect(events.events.map((e) => e.message)).toEqual([STARTED]);
    },
    120_000,
  );

  it.skipIf(!hasLogsTail)(
    `aws logs tail reads a task's stream${hasLogsTail ? "" : " (skipped: this aws CLI has no logs tail, a v2 command)"}`,
    async () => {
      const arn = await runOne(h, { definition: fargateTaskDef({ family: "tail" }, { TASK_LOG: STARTED }) });
      await waitForStatus(h, arn, "RUNNING");
      const { stdout } = await run(
        "aws",
        [
          "--endpoint-url",
          h.local.endpoint,
          "logs",
          "tail",
          "/ecs/worker",
          "--since",
          "1h",
          "--format",
          "short",
        ],
        { env: env(), timeout: 60_000 },
      );
      expect(stdout).toContain(STARTED);
    },
    120_000,
  );
});
