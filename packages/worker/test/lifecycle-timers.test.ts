/**
 * The worker's clocks, driven by fake timers in-process: idle exit, maximum lifetime, the
 * SIGTERM stop deadline, and an upload's body deadlines. No real sleeps, no tolerances.
 */
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  encodeParams,
  type LogEvent,
  loadWorkerConfig,
  type RunningWorker,
  startWorker,
} from "../src/index.js";
import { Activity, watchIdle } from "../src/lifecycle/activity.js";
import { stopDeadlineMs } from "../src/lifecycle/stop-deadline.js";
import { UploadDeadlines, type UploadTimeoutError } from "../src/lifecycle/upload-deadlines.js";

const FAKE: Parameters<typeof vi.useFakeTimers>[0] = {
  toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
};
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A worker in this process, plain HTTP on loopback, logging into an array. */
async function inProcess(env: Record<string, string>): Promise<{ worker: RunningWorker; logs: LogEvent[] }> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "fanout-worker-timers-"));
  const logs: LogEvent[] = [];
  const config = loadWorkerConfig({
    FANOUT_INSECURE_NO_AUTH: "1",
    FANOUT_INSECURE_PLAIN_HTTP: "1",
    HOST: "127.0.0.1",
    PORT: "0",
    FANOUT_WORK_DIR: workDir,
    FANOUT_ENABLE_SYNTHETIC: "1",
    ...env,
  });
  const worker = await startWorker({ ...config, log: (e) => logs.push(e) });
  cleanups.push(async () => {
    vi.useRealTimers();
    await worker.close();
    await rm(workDir, { recursive: true, force: true });
  });
  return { worker, logs };
}

/** Whether `done` has resolved yet, without waiting for it. */
async function settled(done: Promise<number>): Promise<number | "running"> {
  return Promise.race([done, new Promise<"running">((r) => setImmediate(() => r("running")))]);
}

describe("idle exit", () => {
  it("exits 0 exactly FANOUT_IDLE_TIMEOUT_SECONDS after start-up when nothing happens", async () => {
    vi.useFakeTimers(FAKE);
    const { worker, logs } = await inProcess({
      FANOUT_IDLE_TIMEOUT_SECONDS: "300",
      FANOUT_MAX_LIFETIME_SECONDS: "0",
    });
    await vi.advanceTimersByTimeAsync(299_999);
    expect(await settled(worker.done)).toBe("running");
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    expect(await worker.done).toBe(0);
    expect(logs.find((e) => e.event === "worker.exiting")?.reason).toMatch(/idle for 300s without progress/);
  });

  it("counts from the last progress, not from the first", () => {
    vi.useFakeTimers(FAKE);
    const activity = new Activity();
    const onIdle = vi.fn();
    watchIdle(activity, 300_000, onIdle);
    vi.advanceTimersByTime(200_000);
    activity.progress();
    vi.advanceTimersByTime(299_999);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledOnce();
  });
});

describe("maximum lifetime", () => {
  it("exits 0 at FANOUT_MAX_LIFETIME_SECONDS even though progress keeps coming", async () => {
    vi.useFakeTimers(FAKE);
    const { worker, logs } = await inProcess({
      FANOUT_IDLE_TIMEOUT_SECONDS: "60",
      FANOUT_MAX_LIFETIME_SECONDS: "600",
    });
    const info = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get(`${worker.url}/v1/info`, { agent: false }, (res) => res.resume().on("end", resolve))
          .on("error", reject);
      });
    for (let t = 0; t < 599; t += 30) {
      await info();
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(await settled(worker.done)).toBe("running");
    await vi.advanceTimersByTimeAsync(30_000);
    vi.useRealTimers();
    expect(await worker.done).toBe(0);
    expect(logs.find((e) => e.event === "worker.exiting")?.reason).toMatch(/max lifetime of 600s/);
  });
});

describe("the SIGTERM stop deadline", () => {
  it.each([
    [30, 25_000],
    [4, 3_200],
    [1, 800],
  ])("with a stop timeout of %i s, the drain may take %i ms", (seconds, ms) => {
    expect(stopDeadlineMs(seconds)).toBe(ms);
  });

  it("a drain that outlasts its deadline aborts the running job and exits 0 exactly at the deadline", async () => {
    const { worker, logs } = await inProcess({
      FANOUT_IDLE_TIMEOUT_SECONDS: "0",
      FANOUT_MAX_LIFETIME_SECONDS: "0",
    });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${worker.url}/v1/jobs/endless`, {
        method: "PUT",
        agent: false,
        headers: { "x-fanout-params": encodeParams({ processor: "synthetic", ms: 600_000 }) },
      });
      req.on("response", (res) => res.resume().on("end", resolve)).on("error", reject);
      req.end("x");
    });
    await vi.waitFor(() => expect(logs.some((e) => e.event === "job.started")).toBe(true));
    vi.useFakeTimers(FAKE);
    void worker.shutdown({ deadlineMs: stopDeadlineMs(4), reason: "SIGTERM" });
    await vi.advanceTimersByTimeAsync(3_199);
    expect(await settled(worker.done)).toBe("running");
    expect(logs.some((e) => e.event === "worker.draining")).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(1_000);
    vi.useRealTimers();
    expect(await worker.done).toBe(0);
    expect(logs.find((e) => e.event === "worker.exiting")?.reason).toBe("SIGTERM: deadline reached");
  });
});

describe("an upload's body deadlines", () => {
  it("cut an upload that sends nothing for the idle time, counted from its last byte", () => {
    vi.useFakeTimers(FAKE);
    const expired: UploadTimeoutError[] = [];
    const deadlines = new UploadDeadlines({ idleMs: 1_000, minBytesPerSecond: 0, windowMs: 30_000 }, (e) =>
      expired.push(e),
    );
    vi.advanceTimersByTime(900);
    deadlines.bytes(10);
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired.map((e) => e.message)).toEqual(["upload: expected a byte at least every 1 s, got none"]);
  });

  it("cut an upload slower than the floor over a whole window, and spare one at the floor", () => {
    vi.useFakeTimers(FAKE);
    const expired: string[] = [];
    const rule = { idleMs: 10_000, minBytesPerSecond: 100, windowMs: 1_000 };
    const slow = new UploadDeadlines(rule, (e) => expired.push(`slow: ${e.message}`));
    const fine = new UploadDeadlines(rule, (e) => expired.push(`fine: ${e.message}`));
    for (let i = 0; i < 10; i++) {
      slow.bytes(20);
      fine.bytes(50);
      vi.advanceTimersByTime(500);
    }
    expect(expired).toEqual(["slow: upload: expected at least 100 bytes/s over 1 s, got 40"]);
    fine.stop();
  });
});
