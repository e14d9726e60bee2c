import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import { Agent, type RequestInit, type Response, fetch as undiciFetch } from "undici";
import { encodeParams, type FanoutParams, type LogEvent } from "../src/index.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

export const TOKEN = "test-token-0123456789";
export const TOKEN_SHA256 = createHash("sha256").update(TOKEN).digest("hex");

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl once per test file. */
function makeCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fanout-worker-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "2"],
        ...["-subj", "/CN=ecs-fanout-worker", "-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    return {
      cert: readFileSync(path.join(dir, "cert.pem"), "utf8"),
      key: readFileSync(path.join(dir, "key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const CERT = makeCertificate();
const b64 = (pem: string) => Buffer.from(pem).toString("base64");

/** The environment that gives a worker this file's certificate and token hash. */
export const SECURE_ENV = {
  FANOUT_TLS_CERT: b64(CERT.cert),
  FANOUT_TLS_KEY: b64(CERT.key),
  FANOUT_TOKEN_SHA256: TOKEN_SHA256,
};

/** Trusts exactly the test certificate, nothing else (no system CAs, no TOFU). */
export const pinned = new Agent({ connect: { ca: CERT.cert } });

/** fetch over TLS pinned to the test certificate. */
export function fetch(url: string, init: RequestInit = {}): Promise<Response> {
  return undiciFetch(url, { dispatcher: pinned, ...init });
}

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

/** Starts the worker bin from source, without waiting for it to listen. */
export function spawnBin(env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ["--conditions=ecs-fanout-source", "--import", "tsx", bin], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Starts the worker bin from source on a free loopback port, serving HTTPS with the test certificate. */
export async function spawnWorker(env: Record<string, string | undefined> = {}): Promise<SpawnedWorker> {
  const workDir = env.FANOUT_WORK_DIR ?? (await mkdtemp(path.join(os.tmpdir(), "fanout-worker-test-")));
  const proc = spawnBin({
    HOST: "127.0.0.1",
    PORT: "0",
    ...SECURE_ENV,
    FANOUT_WORK_DIR: workDir,
    FANOUT_ENABLE_SYNTHETIC: "1",
    ...env,
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

export type Json = Record<string, unknown>;

export async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
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

export function jobStatus(url: string, jobId: string, query = ""): Promise<Response> {
  return fetch(`${url}/v1/jobs/${jobId}${query}`, { headers: auth });
}

/** Long-polls until the job reaches a final state. */
export async function waitForJob(url: string, jobId: string, ms = 30_000): Promise<Json> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const body = await json(await jobStatus(url, jobId, "?waitSeconds=5"));
    if (body.status === "succeeded" || body.status === "failed") return body;
  }
  throw new Error(`job ${jobId} did not finish within ${ms} ms`);
}

/** Polls (without long-poll) until `predicate` holds for the job's status. */
export async function until(url: string, jobId: string, predicate: (s: Json) => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const body = await json(await jobStatus(url, jobId));
    if (predicate(body)) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} never matched; last ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A request with an exact, unnormalized path (fetch would resolve `..`), over pinned TLS. */
export function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        hostname,
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        ca: CERT.cert,
        agent: false,
      },
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

/** A TLS connection to the worker for hand-written HTTP (stalls, resets, bad bodies). */
export function connectTls(url: string): Promise<tls.TLSSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca: CERT.cert }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** The head of a PUT written by hand. */
export function putHead(jobId: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({
    host: "worker",
    ...auth,
    "x-fanout-params": encodeParams({ processor: "synthetic" }),
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return `PUT /v1/jobs/${jobId} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
    }),
  ]);
}
