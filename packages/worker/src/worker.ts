import { mkdir, rm, rmdir } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import type { WorkerConfig } from "./config.js";
import { WorkerConfigError } from "./errors.js";
import { createAuthenticator } from "./http/auth.js";
import type { ServerContext } from "./http/context.js";
import { CLOSE, sendError } from "./http/respond.js";
import { dispatch, matchRoute } from "./http/routes.js";
import { createWorkerServer } from "./http/server.js";
import { JobManager } from "./jobs.js";
import { Activity, watchIdle } from "./lifecycle/activity.js";
import { DiskBudget } from "./lifecycle/disk-budget.js";
import { jsonLinesToStdout } from "./log.js";
import { fetchTaskArn, lookUpTaskArnLater } from "./metadata.js";
import { enabledProcessors } from "./processors/registry.js";
import { WORKER_NAME, WORKER_VERSION } from "./version.js";

/** How {@link RunningWorker.shutdown} stops the worker. */
export interface ShutdownOptions {
  /** Stop now, aborting running jobs. @default false */
  force?: boolean;
  /** Graceful at most this long, then as with force. */
  deadlineMs?: number;
  /** Logged with worker.exiting. @default "shutdown" */
  reason?: string;
}

/** A started worker: its address and the handles to stop it. */
export interface RunningWorker {
  /** https://host:port (http:// without TLS; 127.0.0.1 when bound to every interface). */
  url: string;
  port: number;
  host: string;
  taskArn: string | null;
  /** Stop taking new jobs; health says "draining". */
  drain(): void;
  /** Drain, wait for in-flight jobs (bounded by deadlineMs), then stop; resolves with `done`. */
  shutdown(options?: ShutdownOptions): Promise<number>;
  /** Stop now (running jobs are aborted). */
  close(): Promise<void>;
  /** Resolves with the exit code the process should use once the worker has stopped. */
  done: Promise<number>;
}

/**
 * Starts the protocol v1 HTTP worker. Never exits the process: the bin does, from `done`.
 *
 * @throws {@link WorkerConfigError} when there is no token hash and `insecureNoAuth` is off.
 */
export async function startWorker(config: WorkerConfig): Promise<RunningWorker> {
  if (config.tokenSha256 === null && !config.insecureNoAuth) {
    throw new WorkerConfigError([
      "FANOUT_TOKEN_SHA256: expected the bearer token's SHA-256 (or insecureNoAuth), got nothing",
    ]);
  }
  const log = config.log ?? jsonLinesToStdout;
  await mkdir(path.join(config.workDir, "uploads"), { recursive: true });
  await mkdir(path.join(config.workDir, "jobs"), { recursive: true });

  const taskArn = config.metadataUri
    ? await fetchTaskArn(config.metadataUri, {
        onRetry: (error, attempt) =>
          log({ event: "worker.metadata.retry", level: "warn", attempt, reason: (error as Error).message }),
      })
    : null;

  let draining = false;
  let stopped = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const stopping = new AbortController();
  const drained = new AbortController();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const activity = new Activity();
  let stopIdleWatch = () => {};

  const stop = async (code: number, reason: string, abortJobs: boolean) => {
    if (stopped) return;
    stopped = true;
    draining = true;
    for (const timer of timers) clearTimeout(timer);
    stopIdleWatch();
    stopping.abort(new Error(reason));
    if (abortJobs) jobs.abortAll(reason);
    log({ event: "worker.exiting", reason, exitCode: code, inFlight: jobs.inFlight });
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Let in-progress responses (the shutdown answer itself) flush, then cut the rest.
      const cut = setTimeout(() => server.closeAllConnections(), abortJobs ? 50 : 1_000);
      cut.unref();
    });
    await rm(path.join(config.workDir, "jobs"), { recursive: true, force: true }).catch(() => {});
    await rm(path.join(config.workDir, "uploads"), { recursive: true, force: true }).catch(() => {});
    // Only succeeds when empty: a shared FANOUT_WORK_DIR with other files stays.
    await rmdir(config.workDir).catch(() => {});
    resolveDone(code);
  };

  const crash = (code: number) => {
    if (stopped) return;
    stopped = true;
    log({ event: "worker.crash", level: "error", exitCode: code, reason: "synthetic exitDuringJob fault" });
    for (const socket of sockets) socket.destroy();
    server.close();
    resolveDone(code);
  };

  const jobs = new JobManager(config, log, crash);

  const drain = (reason: string) => {
    if (draining) return;
    draining = true;
    drained.abort(new Error(reason));
    log({ event: "worker.draining", reason, inFlight: jobs.inFlight });
  };

  let shutdownPromise: Promise<number> | undefined;
  const shutdown = (options: ShutdownOptions = {}): Promise<number> => {
    const reason = options.reason ?? "shutdown";
    if (options.force) {
      void stop(0, reason, true);
      return done;
    }
    if (shutdownPromise) return shutdownPromise;
    drain(reason);
    if (options.deadlineMs !== undefined) {
      const deadline = setTimeout(
        () => void stop(0, `${reason}: deadline reached`, true),
        options.deadlineMs,
      );
      timers.add(deadline);
    }
    // With a deadline (SIGTERM: a Spot notice or a StopTask), finished outputs are kept until their
    // client downloaded and deleted them, or the deadline comes: a job that finished within the
    // notice is not lost because the worker went idle first.
    const settled =
      options.deadlineMs === undefined
        ? jobs.whenIdle()
        : jobs.whenIdle().then(() => {
            if (jobs.undelivered > 0)
              log({ event: "worker.keepingOutputs", reason, outputs: jobs.undelivered });
            return jobs.whenDelivered();
          });
    shutdownPromise = settled.then(async () => {
      await stop(0, reason, false);
      return done;
    });
    return shutdownPromise;
  };

  const authenticate = createAuthenticator(config.insecureNoAuth ? null : config.tokenSha256);
  const ctx: ServerContext = {
    config,
    jobs,
    log,
    startedAt: Date.now(),
    taskArn,
    processors: enabledProcessors(config),
    uploading: new Set(),
    disk: new DiskBudget(path.join(config.workDir, "uploads"), config.minFreeBytes),
    activity,
    isDraining: () => draining,
    drain,
    shutdown: ({ force, reason }) => void shutdown({ force, reason }),
    drained: drained.signal,
    stopping: stopping.signal,
  };
  if (config.metadataUri && taskArn === null) {
    // A slow agent (or a loaded host) must not leave the worker anonymous for good: the
    // orchestrator waits for /v1/info to name the task, so keep asking in the background.
    void lookUpTaskArnLater(config.metadataUri, stopping.signal, (arn) => {
      ctx.taskArn = arn;
      log({ event: "worker.metadata.found", taskArn: arn });
    });
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://worker");
    // Match on the raw path: `%2e%2e` and `%2F` must be judged after one decode, by us.
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    const route = matchRoute(rawPath);
    if (route.kind !== "health") {
      if (!authenticate(req)) {
        log({ event: "auth.rejected", level: "warn", method: req.method, path: url.pathname });
        return sendError(res, 401, "UNAUTHORIZED", "expected Authorization: Bearer <the run's token>", {
          headers: { "www-authenticate": 'Bearer realm="ecs-fanout"', ...CLOSE },
        });
      }
      // A completed exchange is progress; an open one is not (it may be stalled for good).
      res.once("finish", () => activity.progress());
    }
    await dispatch(ctx, req, res, url, route);
  };

  const server = createWorkerServer(config, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log({ event: "request.error", level: "error", method: req.method, url: req.url, error: String(error) });
      if (!res.headersSent) sendError(res, 500, "INTERNAL", "internal error", { headers: CLOSE });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const reachableHost = ["0.0.0.0", "::"].includes(config.host) ? "127.0.0.1" : config.host;
  const url = `${config.tls ? "https" : "http"}://${reachableHost.includes(":") ? `[${reachableHost}]` : reachableHost}:${address.port}`;

  if (config.idleTimeoutSeconds > 0) {
    activity.progress();
    stopIdleWatch = watchIdle(activity, config.idleTimeoutSeconds * 1000, () => {
      void stop(0, `idle for ${config.idleTimeoutSeconds}s without progress`, true);
    });
  }
  if (config.maxLifetimeSeconds > 0) {
    const lifetime = setTimeout(
      () => void stop(0, `max lifetime of ${config.maxLifetimeSeconds}s reached`, true),
      config.maxLifetimeSeconds * 1000,
    );
    timers.add(lifetime);
  }

  log({
    event: "worker.started",
    name: WORKER_NAME,
    version: WORKER_VERSION,
    url,
    host: config.host,
    port: address.port,
    runId: config.runId,
    taskArn,
    processors: ctx.processors,
    slots: config.slots,
    auth: config.insecureNoAuth ? "disabled" : "bearer",
    transport: config.tls ? "https" : "http",
    workDir: config.workDir,
  });

  return {
    url,
    port: address.port,
    host: config.host,
    taskArn,
    drain: () => drain("drain()"),
    shutdown,
    close: async () => {
      await stop(0, "close()", true);
    },
    done,
  };
}
