import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateClusterCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  alive,
  type Clients,
  connect,
  fargateTaskDef,
  fetchJson,
  privateIp,
  runTasks,
  TASK_SCRIPT,
  testHarness,
  waitFor,
  waitForStatus,
} from "./helpers.js";

const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const DRAIN = fileURLToPath(new URL("./fixtures/drain.mjs", import.meta.url));

/** The parent pid of a live process, from /proc/<pid>/stat ("pid (comm) state ppid ..."). */
const parentOf = (pid: number): number =>
  Number(/\) \S+ (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1] ?? Number.NaN);

/** Tasks of the test task that ignore SIGTERM: their pids, once each serves. */
async function startStubborn(h: Pick<Clients, "ecs">, count: number): Promise<number[]> {
  const arns = await runTasks(h, { definition: fargateTaskDef({}, { TASK_IGNORE_SIGTERM: "1" }), count });
  return Promise.all(
    arns.map(async (arn) => {
      const task = await waitForStatus(h, arn, "RUNNING");
      return (await fetchJson<{ pid: number }>(`http://${privateIp(task)}:8080/`)).pid;
    }),
  );
}

describe("no orphans, ever", () => {
  it("ends every task process on close(), even ones that ignore SIGTERM", async () => {
    const h = await testHarness({ timings: { stopTimeoutMsScale: 0.01 } });
    const pids = await startStubborn(h, 3);
    expect(pids.every(alive)).toBe(true);
    await h.local.close();
    expect(h.local.runningProcesses()).toBe(0);
    await waitFor("every task process to be gone", async () => (pids.some(alive) ? undefined : true), 5000);
  });

  it("kills a task's whole process group when the task's supervisor is SIGKILLed", async () => {
    const h = await testHarness({
      images: [{ match: "*", command: ["node", DRAIN] }],
      timings: { stopTimeoutMsScale: 0.01 },
    });
    // The drain fixture: a parent that ignores SIGTERM and a child in its process group.
    const log = join(mkdtempSync(join(tmpdir(), "local-ecs-orphan-")), "events.log");
    const [arn = ""] = await runTasks(h, {
      definition: fargateTaskDef({}, { DRAIN_LOG: log, DRAIN_IGNORE_SIGTERM: "1" }),
      count: 1,
    });
    await waitForStatus(h, arn, "RUNNING");
    const pids = await waitFor("parent and child to start", async () => {
      const lines = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
      const started = lines.filter((l) => l.endsWith(` started ${l.split(" ")[2]}`));
      return started.length === 2 ? started.map((l) => Number(l.split(" ")[2])) : undefined;
    });
    expect(pids.every(alive)).toBe(true);
    const [parent = 0] = pids;
    // The task's main process runs in its own group; its parent is the supervisor.
    const supervisor = parentOf(parent);
    expect(supervisor).not.toBe(process.pid);
    process.kill(supervisor, "SIGKILL");
    await waitFor(
      "the task's parent and child to be gone",
      async () => (pids.some(alive) ? undefined : true),
      10_000,
    );
    const stopped = await waitForStatus(h, arn, "STOPPED");
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    expect(h.local.runningProcesses()).toBe(0);
  });

  /** The ecs-fanout-local bin in its own process, killed when the test finishes. */
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
    onTestFinished(() => {
      proc.kill("SIGKILL");
    });
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
    const clients = connect({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    try {
      // The bin's account, like a new AWS account, has no "default" cluster until one is made.
      await clients.ecs.send(new CreateClusterCommand({}));
      return await startStubborn(clients, 2);
    } finally {
      clients.destroy();
    }
  }

  it("kills the tasks of a bin that is killed with SIGKILL (the supervisors notice)", async () => {
    const { proc, endpoint } = await startBin();
    const pids = await runTasksThroughBin(endpoint);
    expect(pids.every(alive)).toBe(true);
    proc.kill("SIGKILL");
    await waitFor("every task process to be gone", async () => (pids.some(alive) ? undefined : true), 10_000);
  });

  it("stops every task when the bin gets SIGTERM, and exits 0", async () => {
    const { proc, endpoint } = await startBin();
    const pids = await runTasksThroughBin(endpoint);
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    await waitFor("every task process to be gone", async () => (pids.some(alive) ? undefined : true), 5000);
  });
});
