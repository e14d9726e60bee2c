import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { auth, killAll, putJob, spawnWorker, waitForJob } from "./helpers.js";

afterAll(killAll);

/** A stand-in for the ECS task metadata endpoint v4: serves `/task` after `failures` refusals. */
async function fakeMetadata(
  taskArn: string,
  failures = 0,
): Promise<{ uri: string; hits: () => number; close(): void }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    if (req.url !== "/v4/abc/task" || hits <= failures) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ Cluster: "default", TaskARN: taskArn, Family: "worker" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { uri: `http://127.0.0.1:${port}/v4/abc`, hits: () => hits, close: () => server.close() };
}

describe("worker lifecycle", () => {
  it("reads its task ARN from the metadata endpoint (retrying a refusal) and shows it with the run id", async () => {
    const arn = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef";
    const metadata = await fakeMetadata(arn, 1);
    try {
      const worker = await spawnWorker({
        ECS_CONTAINER_METADATA_URI_V4: metadata.uri,
        FANOUT_RUN_ID: "run-42",
      });
      const info = await (await fetch(`${worker.url}/v1/info`, { headers: auth })).json();
      expect(info).toMatchObject({ taskArn: arn, runId: "run-42" });
      expect(metadata.hits()).toBe(2);
      expect(worker.logs.find((e) => e.event === "worker.metadata.retry")).toBeTruthy();
    } finally {
      metadata.close();
    }
  });

  it("keeps asking the metadata endpoint in the background when it is slow to answer, and then names its task", async () => {
    const arn = "arn:aws:ecs:us-east-1:000000000000:task/default/fedcba9876543210";
    // Six refusals: more than the start-up lookup's four attempts.
    const metadata = await fakeMetadata(arn, 6);
    try {
      const worker = await spawnWorker({
        ECS_CONTAINER_METADATA_URI_V4: metadata.uri,
        FANOUT_RUN_ID: "run-7",
      });
      const first = await (await fetch(`${worker.url}/v1/info`, { headers: auth })).json();
      expect(first).toMatchObject({ taskArn: null, runId: "run-7" });
      let info = first as { taskArn: string | null };
      for (let i = 0; i < 60 && info.taskArn === null; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        info = (await (await fetch(`${worker.url}/v1/info`, { headers: auth })).json()) as typeof info;
      }
      expect(info.taskArn).toBe(arn);
      expect(worker.logs.find((e) => e.event === "worker.metadata.found")).toBeTruthy();
    } finally {
      metadata.close();
    }
  });

  it("refuses to start without FANOUT_TOKEN", async () => {
    const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
    const proc = spawn(process.execPath, ["--conditions=ecs-fanout-source", "--import", "tsx", bin], {
      cwd: fileURLToPath(new URL("../../../", import.meta.url)),
      env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1" },
    });
    let out = "";
    proc.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
    expect(code).toBe(2);
    expect(out).toContain("FANOUT_TOKEN");
    expect(out).not.toContain("worker.started");
  });

  it("starts without a token only when FANOUT_INSECURE_NO_AUTH=1, and then needs none", async () => {
    const worker = await spawnWorker({ FANOUT_TOKEN: "", FANOUT_INSECURE_NO_AUTH: "1" });
    const res = await fetch(`${worker.url}/v1/info`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });

  it("answers 507 when the upload would eat into FANOUT_MIN_FREE_BYTES", async () => {
    const worker = await spawnWorker({ FANOUT_MIN_FREE_BYTES: String(2 ** 52) });
    const res = await putJob(worker.url, "no-room", "x", { processor: "synthetic" });
    expect(res.status).toBe(507);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INSUFFICIENT_STORAGE");
  });

  it("POST /v1/shutdown waits for in-flight jobs, then exits 0", async () => {
    const worker = await spawnWorker();
    await putJob(worker.url, "last", "x", { processor: "synthetic", ms: 800 });
    const res = await fetch(`${worker.url}/v1/shutdown`, { method: "POST", headers: auth });
    expect(res.status).toBe(202);
    await res.arrayBuffer();
    expect(await worker.exited).toBe(0);
    const order = worker.logs.map((e) => e.event);
    expect(order.indexOf("job.succeeded")).toBeLessThan(order.indexOf("worker.exiting"));
  });

  it("POST /v1/shutdown?force=1 exits at once, abandoning running jobs", async () => {
    const worker = await spawnWorker();
    await putJob(worker.url, "abandoned", "x", { processor: "synthetic", ms: 30_000 });
    const started = Date.now();
    const res = await fetch(`${worker.url}/v1/shutdown?force=1`, { method: "POST", headers: auth });
    expect(res.status).toBe(202);
    await res.arrayBuffer();
    expect(await worker.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("on SIGTERM drains, finishes the running job, and exits 0", async () => {
    const worker = await spawnWorker();
    await putJob(worker.url, "spot", "x", { processor: "synthetic", ms: 1_000 });
    await worker.waitForLog("job.started");
    worker.proc.kill("SIGTERM");
    await worker.waitForLog("worker.draining");
    expect(await (await fetch(`${worker.url}/v1/health`)).json()).toEqual({ status: "draining" });
    const refused = await putJob(worker.url, "late", "x", { processor: "synthetic" });
    expect(refused.status).toBe(503);
    await refused.arrayBuffer();
    expect(await waitForJob(worker.url, "spot")).toMatchObject({ status: "succeeded" });
    expect(await worker.exited).toBe(0);
  });

  it("on SIGTERM leaves before FANOUT_STOP_TIMEOUT_SECONDS when a job would outlast it", async () => {
    const worker = await spawnWorker({ FANOUT_STOP_TIMEOUT_SECONDS: "4" });
    await putJob(worker.url, "endless", "x", { processor: "synthetic", ms: 60_000 });
    await worker.waitForLog("job.started");
    const started = Date.now();
    worker.proc.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const elapsed = Date.now() - started;
    // 20 % margin: the deadline is at 3.2 s, well before ECS would SIGKILL at 4 s.
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeLessThan(4_000);
    expect(worker.logs.find((e) => e.event === "worker.exiting")?.reason).toMatch(/deadline/);
  });

  it("exits by itself after FANOUT_IDLE_TIMEOUT_SECONDS without an authenticated request", async () => {
    const worker = await spawnWorker({ FANOUT_IDLE_TIMEOUT_SECONDS: "2" });
    const started = Date.now();
    // Unauthenticated requests do not keep it alive.
    for (let i = 0; i < 3; i++) {
      await (await fetch(`${worker.url}/v1/health`)).arrayBuffer();
      await (await fetch(`${worker.url}/v1/info`)).arrayBuffer();
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(await worker.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(worker.logs.find((e) => e.event === "worker.exiting")?.reason).toMatch(/idle/);
  });

  it("stays up while authenticated requests keep coming", async () => {
    const worker = await spawnWorker({ FANOUT_IDLE_TIMEOUT_SECONDS: "1" });
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${worker.url}/v1/info`, { headers: auth });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(worker.proc.exitCode).toBeNull();
    expect(await worker.exited).toBe(0);
  });

  it("exits after FANOUT_MAX_LIFETIME_SECONDS even while busy", async () => {
    const worker = await spawnWorker({ FANOUT_MAX_LIFETIME_SECONDS: "2" });
    await putJob(worker.url, "forever", "x", { processor: "synthetic", ms: 60_000 });
    expect(await worker.exited).toBe(0);
    expect(worker.logs.find((e) => e.event === "worker.exiting")?.reason).toMatch(/max lifetime/);
  });

  it("fault exitDuringJob stops the process mid-job with that exit code", async () => {
    const worker = await spawnWorker();
    await putJob(worker.url, "crash", "x", { processor: "synthetic", ms: 400, faults: { exitDuringJob: 3 } });
    expect(await worker.exited).toBe(3);
    expect(worker.logs.some((e) => e.event === "job.succeeded")).toBe(false);
  });
});
