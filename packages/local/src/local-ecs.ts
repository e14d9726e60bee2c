import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type FaultConfig, type LocalEcsConfig, normalizeConfig, validateFaults } from "./config.js";
import { addConfiguredProviders } from "./ecs/managed-providers.js";
import type { Engine } from "./engine.js";
import { LocalEcsError, LocalEcsStartError } from "./errors.js";
import { Faults } from "./faults.js";
import { LogStore } from "./logs.js";
import { RateLimiter } from "./rate-limit.js";
import { type CallStats, createRouter } from "./server/router.js";
import { Store, taskIdOf } from "./state.js";
import { AddressPool, assertBindable } from "./tasks/addresses.js";
import { Capacity } from "./tasks/capacity.js";
import { containerRuntimeProblem } from "./tasks/container.js";
import { defaultWorkerMapping } from "./tasks/images.js";
import { Lifecycle } from "./tasks/lifecycle.js";
import { ManagedCapacity } from "./tasks/managed-capacity.js";

/** A running local endpoint: where to point SDK clients, and handles for tests to steer it. */
export interface LocalEcs {
  /** `http://127.0.0.1:PORT`: ECS, EC2, CloudWatch Logs and the task metadata endpoint. */
  endpoint: string;
  region: string;
  accountId: string;
  /** Spread into any SDK v3 client: `new ECSClient(local.clientConfig)`. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Stop every task process (SIGTERM, SIGKILL after a grace period) and the server. */
  close(): Promise<void>;
  /** Spot interruption: SIGTERM now, SIGKILL after the (scaled) notice, stopCode SpotInterruption. */
  interruptTask(taskArn: string): void;
  /**
   * EC2 reclaims a Managed Instances Spot instance (by EC2 instance id or container instance
   * ARN): each of its tasks gets the Spot notice, then the instance is gone.
   */
  reclaimInstance(ref: string): void;
  /** SIGKILL the task's processes: exit code 137. */
  crashTask(taskArn: string): void;
  /**
   * SIGSTOP the task's processes: the task stays RUNNING but its worker answers nothing, like a
   * hung host. A StopTask still ends it (SIGKILL after the stop timeout). `thawTask` sends SIGCONT.
   */
  freezeTask(taskArn: string): void;
  /** SIGCONT a task `freezeTask` stopped. */
  thawTask(taskArn: string): void;
  /** Merge `partial` into the active faults (each given key replaces that fault). */
  setFaults(partial: FaultConfig): void;
  /** Calls and throttled calls per API action so far (the API economy of a run). */
  stats(): CallStats;
  /** Task processes (with their supervisors) still alive. */
  runningProcesses(): number;
}

/**
 * Start the local endpoint. Every option is optional; see the README for the reference.
 *
 * @throws {@link LocalEcsConfigError} listing every config problem; {@link LocalEcsStartError} when
 * the port or a task address cannot be bound (on macOS: add loopback aliases with
 * `sudo ifconfig lo0 alias 127.0.1.1`, and so on).
 */
export async function startLocalEcs(input: LocalEcsConfig = {}): Promise<LocalEcs> {
  const config = normalizeConfig(input);
  const noContainers = config.runtime === "container" ? containerRuntimeProblem() : undefined;
  if (noContainers) throw new LocalEcsStartError(`runtime "container": ${noContainers}`);
  const privatePool = new AddressPool(config.addresses.privateCidr);
  const publicPool = new AddressPool(config.addresses.publicCidr);
  await assertBindable(privatePool.sample());
  await assertBindable(publicPool.sample());
  const worker = config.images === undefined ? defaultWorkerMapping() : undefined;
  const images = config.images ?? (worker ? [worker] : []);
  let endpoint = "";
  const store = new Store(config);
  for (const name of config.clusters) store.addCluster(name);
  addConfiguredProviders(store, config.managedInstancesProviders);
  const logs = new LogStore(config.region, config.accountId);
  const faults = new Faults(config.faults);
  const lifecycle = new Lifecycle({
    store,
    config,
    logs,
    faults,
    privatePool,
    publicPool,
    images,
    metadataBase: () => endpoint,
  });
  // Deferred so a release inside a handler never re-enters placement.
  const capacity = new Capacity(store, privatePool, () => setImmediate(() => lifecycle.retryWaiting()));
  lifecycle.capacity = capacity;
  const managed = new ManagedCapacity(
    store,
    privatePool,
    faults,
    () => setImmediate(() => lifecycle.retryWaiting()),
    (t) => lifecycle.interrupt(t),
  );
  lifecycle.managed = managed;
  const engine: Engine = {
    config,
    store,
    logs,
    faults,
    capacity,
    managed,
    lifecycle,
    rateLimiter: new RateLimiter(config.rateLimits),
  };
  const stats: CallStats = { calls: {}, throttled: {} };
  const route = createRouter(engine, stats);
  const server: Server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(new LocalEcsStartError(`cannot listen on ${config.host}:${config.port}`, { cause })),
    );
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  endpoint = `http://${config.host}:${port}`;

  const task = (arn: string) => {
    const t = store.tasks.get(taskIdOf(arn));
    if (!t) throw new LocalEcsError("LOCAL_TASK_NOT_FOUND", `no task ${arn}`);
    return t;
  };
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    region: config.region,
    accountId: config.accountId,
    clientConfig: {
      endpoint,
      region: config.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    },
    close: () => {
      closing ??= (async () => {
        const grace = Math.min(5000, Math.max(500, 30_000 * config.timings.stopTimeoutMsScale));
        await lifecycle.close(grace);
        privatePool.releaseAll();
        publicPool.releaseAll();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
    interruptTask: (arn) => lifecycle.interrupt(task(arn)),
    crashTask: (arn) => lifecycle.crash(task(arn)),
    freezeTask: (arn) => lifecycle.freeze(task(arn), true),
    thawTask: (arn) => lifecycle.freeze(task(arn), false),
    reclaimInstance: (ref) => {
      const i = managed.find(ref);
      if (!i?.managed || !i.spot)
        throw new LocalEcsError("LOCAL_INSTANCE_NOT_FOUND", `no Managed Instances Spot instance ${ref}`);
      managed.reclaim(i);
    },
    setFaults: (partial) => faults.set(validateFaults(partial)),
    stats: () => structuredClone(stats),
    runningProcesses: () =>
      [...store.tasks.values()].reduce(
        (n, t) => n + t.containers.filter((c) => c.process?.alive()).length,
        0,
      ),
  };
}
