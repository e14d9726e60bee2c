import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import {
  alive,
  closeHarness,
  fargateTaskDef,
  type Harness,
  network,
  register,
  startHarness,
  TASK_SCRIPT,
  waitFor,
  waitForStatus,
} from "./helpers.js";

const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

async function taskPids(h: { ecs: ECSClient } & Partial<Harness>, arns: string[]): Promise<number[]> {
  const harness = h as Harness;
  return Promise.all(
    arns.map(async (arn) => {
      const task = await waitForStatus(harness, arn, "RUNNING");
      const ip = task.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value;
      return waitFor("the task's pid", async () => {
        try {
          return ((await (await fetch(`http://${ip}:8080/`)).json()) as { pid: number }).pid;
        } catch {
          return undefined;
        }
      });
    }),
  );
}

let h: Harness | undefined;
let bin: ChildProcess | undefined;
afterEach(async () => {
  await closeHarness(h);
  h = undefined;
  bin?.kill("SIGKILL");
  bin = undefined;
});

describe("no orphans, ever", () => {
  it("ends every task process on close(), even ones that ignore SIGTERM", async () => {
    h = await startHarness({ timings: { stopTimeoutMsScale: 0.01 } });
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: await register(h, fargateTaskDef({}, { TASK_IGNORE_SIGTERM: "1" })),
        launchType: "FARGATE",
        networkConfiguration: network(),
        count: 3,
      }),
    );
    const pids = await taskPids(
      h,
      (run.tasks ?? []).map((t) => t.taskArn ?? ""),
    );
    expect(pids.every(alive)).toBe(true);
    await h.local.close();
    expect(h.local.runningProcesses()).toBe(0);
    await waitFor("every task process to be gone", async () => (pids.some(alive) ? undefined : true), 5000);
  });

  async function startBin(): Promise<{ proc: ChildProcess; endpoint: string }> {
    const config = join(tmpdir(), `ecs-fanout-local-${process.pid}-${Date.now()}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        images: [{ match: "*", command: ["node", TASK_SCRIPT] }],
        timings: { provisioningMs: 10, pullMs: 10, stopTimeoutMsScale: 0.01 },
      }),
    );
    const proc = spawn(
      process.execPath,
      ["--conditions=ecs-fanout-source", "--import", "tsx", BIN, "--port", "0", "--config", config],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const endpoint = await waitFor(
      "the bin to print its exports",
      async () => /export AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=(\S+)/.exec(out)?.[1],
      20_000,
    );
    expect(out).toMatch(/export AWS_ENDPOINT_URL_ECS=http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/export AWS_REGION=us-east-1/);
    expect(out).toMatch(/export AWS_ACCESS_KEY_ID=/);
    return { proc, endpoint };
  }

  async function runTasksThroughBin(endpoint: string): Promise<number[]> {
    const ecs = new ECSClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const def = await ecs.send(
      new RegisterTaskDefinitionCommand(fargateTaskDef({}, { TASK_IGNORE_SIGTERM: "1" })),
    );
    const run = await ecs.send(
      new RunTaskCommand({
        taskDefinition: def.taskDefinition?.taskDefinitionArn,
        launchType: "FARGATE",
        networkConfiguration: network(),
        count: 2,
      }),
    );
    const pids = await taskPids(
      { ecs },
      (run.tasks ?? []).map((t) => t.taskArn ?? ""),
    );
    ecs.destroy();
    return pids;
  }

  it("kills the tasks of a bin that is killed with SIGKILL (the supervisors notice)", async () => {
    const { proc, endpoint } = await startBin();
    bin = proc;
    const pids = await runTasksThroughBin(endpoint);
    expect(pids.every(alive)).toBe(true);
    proc.kill("SIGKILL");
    await waitFor("every task process to be gone", async () => (pids.some(alive) ? undefined : true), 10_000);
  });

  it("stops every task when the bin gets SIGTERM, and exits 0", async () => {
    const { proc, endpoint } = await startBin();
    bin = proc;
    const pids = await runTasksThroughBin(endpoint);
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    await waitFor("every task process to be gone", async () => (pids.some(alive) ? undefined : true), 5000);
  });
});
