import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeParams, type FanoutParams, type LogEvent } from "../src/index.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

export const TOKEN = "test-token-0123456789";

export interface SpawnedWorker {
  url: string;
  proc: ChildProcess;
  workDir: string;
  logs: LogEvent[];
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  waitForLog(event: string, predicate?: (e: LogEvent) => boolean, ms?: number): Promise<LogEvent>;
  kill(): Promise<void>;
}

const running = new Set<SpawnedWorker>();

/** Starts the worker bin from source on a free loopback port. */
export async function spawnWorker(env: Record<string, string> = {}): Promise<SpawnedWorker> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "fanout-worker-test-"));
  const proc = spawn(process.execPath, ["--conditions=ecs-fanout-source", "--import", "tsx", bin], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      HOST: "127.0.0.1",
      PORT: "0",
      FANOUT_TOKEN: TOKEN,
      FANOUT_WORK_DIR: workDir,
      FANOUT_ENABLE_SYNTHETIC: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogEvent[] = [];
  const waiters = new Set<() => void>();
  let err = "";
  let partial = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      logs.push(JSON.parse(line) as LogEvent);
    }
    for (const w of [...waiters]) w();
  });
  proc.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    proc.once("exit", (code, signal) => {
      for (const w of [...waiters]) w();
      resolve(code ?? signal ?? -1);
    });
  });
  const waitForLog = (event: string, predicate: (e: LogEvent) => boolean = () => true, ms = 20_000) =>
    new Promise<LogEvent>((resolve, reject) => {
      const check = () => {
        const found = logs.find((e) => e.event === event && predicate(e));
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (proc.exitCode !== null || proc.signalCode !== null) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`worker exited before ${event}; stderr: ${err}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${event} log within ${ms} ms; stderr: ${err}`));
      }, ms);
      waiters.add(check);
      check();
    });
  const worker: SpawnedWorker = {
    url: "",
    proc,
    workDir,
    logs,
    stderr: () => err,
    exited,
    waitForLog,
    kill: async () => {
      running.delete(worker);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
      await rm(workDir, { recursive: true, force: true });
    },
  };
  running.add(worker);
  const started = await waitForLog("worker.started");
  worker.url = started.url as string;
  return worker;
}

export async function killAll(): Promise<void> {
  await Promise.all([...running].map((w) => w.kill()));
}

export const auth = { authorization: `Bearer ${TOKEN}` };

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function putJob(
  url: string,
  jobId: string,
  body: Buffer | string,
  params: FanoutParams = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/v1/jobs/${jobId}`, {
    method: "PUT",
    headers: { ...auth, "x-fanout-params": encodeParams(params), ...headers },
    body,
  });
}

/** Long-polls until the job reaches a final state. */
export async function waitForJob(url: string, jobId: string, ms = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/v1/jobs/${jobId}?waitSeconds=5`, { headers: auth });
    const body = (await res.json()) as Record<string, unknown>;
    if (body.status === "succeeded" || body.status === "failed") return body;
  }
  throw new Error(`job ${jobId} did not finish within ${ms} ms`);
}

/** A request with an exact, unnormalized path (fetch would resolve `..`). */
export function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port, method: options.method ?? "GET", path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
