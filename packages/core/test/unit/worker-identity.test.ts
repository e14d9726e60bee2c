import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkerIdentityError } from "../../src/errors.js";
import { FleetTask } from "../../src/run/fleet-task.js";
import type { RunState } from "../../src/run/run-state.js";
import { serveTask, waitForWorker } from "../../src/run/task-loop.js";
import { WorkerClient } from "../../src/worker/client.js";

const RUN = "run-1";
const ARN = "arn:aws:ecs:us-east-1:1:task/c/t1";

/** A worker that is healthy but names another run or task in /v1/info (a stale worker on a reused IP). */
function workerSaying(info: { runId: string; taskArn: string }, anonymousInfoCalls = 0): Server {
  let infoCalls = 0;
  return createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/v1/health") res.end(JSON.stringify({ status: "ok" }));
    else if (req.url === "/v1/info") {
      // The first answers come before the worker heard from the task metadata endpoint.
      const taskArn = infoCalls++ < anonymousInfoCalls ? null : info.taskArn;
      res.end(
        JSON.stringify({
          worker: { name: "fake", version: "1" },
          ...info,
          taskArn,
          processors: [],
          slots: 1,
          busy: 0,
          draining: false,
          uptimeSeconds: 1,
        }),
      );
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
}

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
};

const task = () =>
  new FleetTask(
    { taskArn: ARN, taskId: "t1", lastStatus: "RUNNING", desiredStatus: "RUNNING" } as FleetTask["snapshot"],
    undefined,
  );

describe("a worker that answers with the wrong identity", () => {
  let server: Server | undefined;
  const dispatcher = new Agent();
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it.each([
    ["another run", { runId: "someone-elses-run", taskArn: ARN }],
    ["another task", { runId: RUN, taskArn: "arn:aws:ecs:us-east-1:1:task/c/other" }],
  ])("is refused with WorkerIdentityError when it names %s", async (_, info) => {
    server = workerSaying(info);
    const port = await listen(server);
    const client = new WorkerClient(`http://127.0.0.1:${port}`, "token", ARN, dispatcher, 5000);
    const run = { opts: { runId: RUN, timeouts: { workerReadyMs: 5000 } } } as unknown as RunState;
    const error = await waitForWorker(run, task(), client, new AbortController().signal).catch((e) => e);
    expect(error).toBeInstanceOf(WorkerIdentityError);
    expect((error as WorkerIdentityError).code).toBe("WORKER_IDENTITY_MISMATCH");
  });

  it("waits for a worker of this run that does not know its task ARN yet, instead of discarding it", async () => {
    server = workerSaying({ runId: RUN, taskArn: ARN }, 3);
    const port = await listen(server);
    const client = new WorkerClient(`http://127.0.0.1:${port}`, "token", ARN, dispatcher, 5000);
    const run = { opts: { runId: RUN, timeouts: { workerReadyMs: 10_000 } } } as unknown as RunState;
    await expect(waitForWorker(run, task(), client, new AbortController().signal)).resolves.toBeUndefined();
  });

  it("gives up on a worker that never learns its task ARN by the readiness deadline", async () => {
    server = workerSaying({ runId: RUN, taskArn: ARN }, 1_000);
    const port = await listen(server);
    const client = new WorkerClient(`http://127.0.0.1:${port}`, "token", ARN, dispatcher, 5000);
    const run = { opts: { runId: RUN, timeouts: { workerReadyMs: 1500 } } } as unknown as RunState;
    const error = await waitForWorker(run, task(), client, new AbortController().signal).catch((e) => e);
    expect(error).toBeInstanceOf(WorkerIdentityError);
  });

  it("gets no work: the task is treated as lost", async () => {
    server = workerSaying({ runId: "someone-elses-run", taskArn: ARN });
    const port = await listen(server);
    const markLost = vi.fn();
    const take = vi.fn();
    const run = {
      opts: {
        runId: RUN,
        timeouts: { workerReadyMs: 5000, httpMs: 5000 },
        transport: { insecurePlainHttp: true, minBytesPerSecond: 0, slowTransferMs: 30_000 },
        slotsPerTask: 1,
        lookAhead: true,
      },
      identity: { token: "token", tokenSha256: "", tls: undefined },
      dispatcher,
      signal: undefined,
      queue: { take, notify: vi.fn() },
      markLost,
      emit: vi.fn(),
    } as unknown as RunState;
    const t = task();
    t.phase = "starting";
    await serveTask(run, t, { host: "127.0.0.1", port });
    expect(markLost).toHaveBeenCalledTimes(1);
    expect(markLost.mock.calls[0]?.[1]).toMatch(/is not ours/);
    expect(take).not.toHaveBeenCalled();
    expect(t.phase).not.toBe("ready");
  });
});
