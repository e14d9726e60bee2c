import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { TaskSnapshot } from "../../src/ecs/snapshot.js";
import { FleetTask } from "../../src/run/fleet-task.js";
import { watchLiveness } from "../../src/run/liveness.js";
import type { RunState } from "../../src/run/run-state.js";
import { WorkerClient } from "../../src/worker/client.js";
import { workerAgent } from "../../src/worker/pinned-agent.js";
import { createRunIdentity } from "../../src/worker/run-identity.js";
import { type FakeWorker, startFakeWorker } from "./fake-tls-worker.js";

const ARN = "arn:aws:ecs:us-east-1:1:task/c/t1";

/** Health answers, one per check in order: a status to send, or "hang" for none. The last repeats. */
function healthScript(answers: Array<"ok" | "draining" | "hang">) {
  let i = 0;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== "/v1/health") return res.writeHead(404).end();
    const answer = answers[Math.min(i++, answers.length - 1)];
    if (answer === "hang") return; // the hung worker: no byte back
    res.writeHead(answer === "ok" ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: answer }));
  };
}

/** Just what watchLiveness reads of a run, and a record of what it decided. */
function runWith(worker: FakeWorker, failures: number, timeoutMs: number) {
  const decided: string[] = [];
  const livenessDispatcher = workerAgent(worker.identity, { connectTimeoutMs: 200, connections: 1 });
  const run = {
    opts: { liveness: { intervalMs: 100, timeoutMs, failures } },
    identity: worker.identity,
    livenessDispatcher,
    markLost: (t: FleetTask, why: string, how: { askWorker?: boolean }) => {
      t.phase = "lost";
      decided.push(`lost: ${why} (ask worker: ${String(how.askWorker)})`);
    },
    markDraining: (t: FleetTask, by: string) => {
      t.phase = "draining";
      decided.push(`draining (${by})`);
    },
  } as unknown as RunState;
  const task = new FleetTask({ taskArn: ARN } as TaskSnapshot, undefined);
  task.phase = "ready";
  const client = new WorkerClient(worker.url, worker.identity.token, ARN, livenessDispatcher, 5000);
  return { run, task, client, decided, close: () => livenessDispatcher.destroy() };
}

describe("liveness checks", () => {
  const open: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close();
  });
  const start = async (answers: Array<"ok" | "draining" | "hang">, failures: number, timeoutMs = 200) => {
    const worker = await startFakeWorker(
      healthScript(answers),
      createRunIdentity({ insecurePlainHttp: false }),
    );
    const r = runWith(worker, failures, timeoutMs);
    open.push(r.close, worker.close);
    return { ...r, worker };
  };

  it("give a task up after that many checks in a row got no answer, saying so, without asking the worker to shut down", async () => {
    const { run, task, client, decided, worker } = await start(["hang"], 3);
    await watchLiveness(run, task, client, AbortSignal.timeout(10_000));
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatch(
      /^lost: worker stopped answering: 3 health checks in a row failed over \d+ ms \(last: GET \/v1\/health: no complete answer within 200 ms\) \(ask worker: false\)$/,
    );
    expect(worker.requests.map((r) => r.url)).toEqual(["/v1/health", "/v1/health", "/v1/health"]);
  });

  it("start counting again after an answer: misses that are not in a row never give a task up", async () => {
    // Each check may take 600 ms here, so a loaded machine cannot turn an answer into a miss.
    const { run, task, client, decided, worker } = await start(
      ["hang", "hang", "ok", "hang", "hang", "ok"],
      3,
      600,
    );
    const stop = new AbortController();
    const watching = watchLiveness(run, task, client, stop.signal);
    while (worker.requests.length < 7) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await watching;
    expect(decided).toEqual([]);
    expect(task.phase).toBe("ready");
  });

  it("take a health check that answers draining as the worker's stop notice", async () => {
    const { run, task, client, decided } = await start(["ok", "draining"], 3);
    await watchLiveness(run, task, client, AbortSignal.timeout(10_000));
    // A draining task with no work of ours left is no longer watched: it may exit at any moment.
    expect(decided).toEqual(["draining (worker)"]);
  });
});
