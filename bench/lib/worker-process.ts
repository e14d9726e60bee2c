import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import { repoRoot, sourceBinArgv, workerBinSource } from "./paths.js";

export interface WorkerProcess {
  url: string;
  token: string;
  child: ChildProcess;
  /** Last lines the worker wrote (stdout + stderr), for error messages. */
  outputTail(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** A free loopback port: bind 0, read it, release it (tiny race accepted in a benchmark). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("freePort: no TCP address");
  return address.port;
}

/**
 * Starts the real `ecs-fanout-worker` bin from source as its own process (as it runs in a task)
 * and waits until /v1/health answers.
 */
export async function spawnWorker(
  env: Record<string, string> = {},
  options: { timeoutMs?: number } = {},
): Promise<WorkerProcess> {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  // With the run's certificate the worker serves HTTPS; without, it needs the explicit opt-out.
  const tls = env.FANOUT_TLS_CERT !== undefined;
  const [command, ...args] = sourceBinArgv(workerBinSource);
  const child = spawn(command!, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      // The worker gets the token's hash, as from RunTask, never the token.
      FANOUT_TOKEN_SHA256: createHash("sha256").update(token).digest("hex"),
      ...(tls ? {} : { FANOUT_INSECURE_PLAIN_HTTP: "1" }),
      FANOUT_ENABLE_SYNTHETIC: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = once(child, "exit");
  // Over HTTPS, readiness is "the port accepts" (the benchmark's fetch does not pin certificates).
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const worker: WorkerProcess = {
    url,
    token,
    child,
    outputTail: () => [...tail],
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if (tls) {
        const socket = net.connect(port, "127.0.0.1");
        await once(socket, "connect");
        socket.destroy();
        return worker;
      }
      const response = await fetch(`${url}/v1/health`);
      if (response.ok) return worker;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await worker.stop(500);
  throw new Error(`worker did not become healthy on ${url}:\n${tail.join("\n")}`);
}
