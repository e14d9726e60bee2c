/**
 * A worker draining through a Spot notice (SIGTERM with a stop deadline): it says so at once on
 * status long polls, and keeps finished outputs until their client took them or the deadline came.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  encodeParams,
  type LogEvent,
  loadWorkerConfig,
  type RunningWorker,
  startWorker,
} from "../src/index.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function inProcess(): Promise<{ worker: RunningWorker; logs: LogEvent[] }> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "fanout-worker-drain-"));
  const logs: LogEvent[] = [];
  const config = loadWorkerConfig({
    FANOUT_INSECURE_NO_AUTH: "1",
    FANOUT_INSECURE_PLAIN_HTTP: "1",
    HOST: "127.0.0.1",
    PORT: "0",
    FANOUT_WORK_DIR: workDir,
    FANOUT_ENABLE_SYNTHETIC: "1",
    FANOUT_IDLE_TIMEOUT_SECONDS: "0",
    FANOUT_MAX_LIFETIME_SECONDS: "0",
  });
  const worker = await startWorker({ ...config, log: (e) => logs.push(e) });
  cleanups.push(async () => {
    await worker.close();
    await rm(workDir, { recursive: true, force: true });
  });
  return { worker, logs };
}

async function putJob(worker: RunningWorker, id: string, ms: number): Promise<void> {
  const res = await fetch(`${worker.url}/v1/jobs/${id}`, {
    method: "PUT",
    headers: { "x-fanout-params": encodeParams({ processor: "synthetic", ms, bytes: 1000 }) },
    body: "x",
  });
  expect(res.status).toBeLessThan(300);
  await res.arrayBuffer();
}

async function status(worker: RunningWorker, id: string, waitSeconds = 0): Promise<Record<string, unknown>> {
  const res = await fetch(`${worker.url}/v1/jobs/${id}?waitSeconds=${waitSeconds}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Whether `done` resolves within `ms`. */
async function doneWithin(done: Promise<number>, ms: number): Promise<number | "running"> {
  return Promise.race([done, new Promise<"running">((r) => setTimeout(() => r("running"), ms))]);
}

describe("a draining worker", () => {
  it("answers a waiting status long poll the moment it begins draining, and says it drains", async () => {
    const { worker } = await inProcess();
    await putJob(worker, "long", 60_000);
    await putJob(worker, "queued", 1000);
    const t0 = performance.now();
    const polled = status(worker, "queued", 20);
    await new Promise((r) => setTimeout(r, 200));
    worker.drain();
    const body = await polled;
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(body).toMatchObject({ status: "queued", draining: true });
    expect(await status(worker, "long")).toMatchObject({ status: "running", draining: true });
  });

  it("a status says draining: false while it takes work", async () => {
    const { worker } = await inProcess();
    await putJob(worker, "one", 10);
    expect((await status(worker, "one", 5)).draining).toBe(false);
  });

  it("keeps a job that finished during the drain until its client downloaded and deleted it", async () => {
    const { worker, logs } = await inProcess();
    await putJob(worker, "short", 300);
    void worker.shutdown({ deadlineMs: 20_000, reason: "SIGTERM" });
    expect(await status(worker, "short", 10)).toMatchObject({ status: "succeeded", draining: true });
    // Idle now, but the output is not delivered: the worker stays.
    expect(await doneWithin(worker.done, 500)).toBe("running");
    expect(logs.some((e) => e.event === "worker.keepingOutputs")).toBe(true);
    const output = await fetch(`${worker.url}/v1/jobs/short/output`);
    expect(output.status).toBe(200);
    expect((await output.arrayBuffer()).byteLength).toBe(1000);
    const deleted = await fetch(`${worker.url}/v1/jobs/short`, { method: "DELETE" });
    expect(deleted.status).toBeLessThan(300);
    expect(await doneWithin(worker.done, 5000)).toBe(0);
    expect(logs.find((e) => e.event === "worker.exiting")?.reason).toBe("SIGTERM");
  });

  it("keeps an undelivered output only until the stop deadline", async () => {
    const { worker, logs } = await inProcess();
    await putJob(worker, "short", 50);
    void worker.shutdown({ deadlineMs: 1500, reason: "SIGTERM" });
    expect(await status(worker, "short", 10)).toMatchObject({ status: "succeeded" });
    expect(await doneWithin(worker.done, 5000)).toBe(0);
    expect(logs.find((e) => e.event === "worker.exiting")?.reason).toBe("SIGTERM: deadline reached");
  });

  it("without a deadline (the client's own shutdown) it leaves as soon as it is idle", async () => {
    const { worker } = await inProcess();
    await putJob(worker, "short", 50);
    expect(await status(worker, "short", 10)).toMatchObject({ status: "succeeded" });
    void worker.shutdown({ reason: "shutdown request" });
    expect(await doneWithin(worker.done, 5000)).toBe(0);
  });
});
