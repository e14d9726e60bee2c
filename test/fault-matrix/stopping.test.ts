/**
 * Fault matrix, stopping: an AbortSignal mid-run, SIGINT to an orchestrator process running with
 * handleSignals, and an orchestrator killed with SIGKILL (workers leave on their idle timeout,
 * cleanupStaleTasks stops what is left and touches nothing that is not ours).
 */
import { readFile } from "node:fs/promises";
import { cleanupStaleTasks, executeParallelBatches, type FanoutEvent } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { ecsSdk, runningTaskArns } from "../../bench/lib/aws.js";
import { MARKER_ENV } from "../../bench/lib/stack.js";
import { spawnOrchestrator } from "../support/child.js";
import { assertCleanRun, type Row, sha256Of, startRow } from "../support/matrix.js";
import { eventually } from "../support/processes.js";

const specs = (count: number, ms: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `seg-${String(i).padStart(2, "0")}`, ms }));

/** Plain-JSON run options for a child orchestrator (no functions, no clients). */
function childOptions(row: Row, overrides: Record<string, unknown>) {
  const { onEvent: _onEvent, ...options } = row.options({ segments: [] });
  return { ...options, ...overrides } as Parameters<typeof spawnOrchestrator>[0];
}

describe("fault matrix: stopping", () => {
  let row: Row | undefined;
  afterEach(async () => {
    await row?.close();
    row = undefined;
  });

  it("stops every task and rejects with the signal's reason when aborted mid-run", async () => {
    row = await startRow();
    const current = row;
    const controller = new AbortController();
    const reason = new Error("user pressed stop");
    const segments = await current.segments(specs(10, 400));
    const run = executeParallelBatches(
      current.options({
        segments,
        maxParallelTasks: 3,
        signal: controller.signal,
        onEvent: (event: FanoutEvent) => {
          current.events.push(event);
          if (
            event.type === "segment.downloaded" &&
            current.events.filter((e) => e.type === "segment.downloaded").length === 2
          ) {
            controller.abort(reason);
          }
        },
      }),
    );
    await expect(run).rejects.toBe(reason);
    await assertCleanRun(current, undefined);
    // What was reported downloaded before the abort stays on disk, whole.
    const downloaded = current.events.flatMap((e) => (e.type === "segment.downloaded" ? [e] : []));
    expect(downloaded.length).toBeGreaterThanOrEqual(2);
    for (const event of downloaded) expect(sha256Of(await readFile(event.path))).toBe(event.sha256);
  });

  it("stops every task before exiting when a process running with handleSignals gets SIGINT", async () => {
    row = await startRow();
    const segments = await row.segments(specs(10, 1000));
    const child = spawnOrchestrator(
      childOptions(row, { segments, maxParallelTasks: 3, handleSignals: true }),
    );
    await child.waitFor((line) => line.type === "segment.started");
    child.child.kill("SIGINT");
    const exit = await child.exited;
    expect(exit.code, child.stderr()).toBe(130);
    expect(child.lines.at(-1)).toMatchObject({ type: "child.error", code: "INTERRUPTED" });
    await assertCleanRun(row, undefined);
  });

  it("after a SIGKILLed orchestrator, workers exit on their idle timeout and cleanupStaleTasks stops only our leftovers", async () => {
    row = await startRow({ workerEnv: { FANOUT_IDLE_TIMEOUT_SECONDS: "2" } });
    const { ecs, cluster, network } = {
      ecs: row.stack.ecs,
      cluster: row.stack.cluster,
      network: row.stack.network,
    };

    // Long-lived workers that must survive or be stopped by cleanup: a foreign task (someone
    // else's startedBy), an impostor (our startedBy but not our managed-by tag), and a leftover
    // of an earlier run of ours (both markers).
    const longLived = await ecs.send(
      new ecsSdk.RegisterTaskDefinitionCommand({
        family: "long-lived",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          {
            name: "worker",
            image: "ecs-fanout-worker:local",
            essential: true,
            portMappings: [{ containerPort: 8080 }],
            environment: [
              { name: "FANOUT_TOKEN_SHA256", value: "0".repeat(64) },
              { name: "FANOUT_INSECURE_PLAIN_HTTP", value: "1" },
              { name: "FANOUT_IDLE_TIMEOUT_SECONDS", value: "0" },
              { name: MARKER_ENV, value: row.stack.marker },
            ],
          },
        ],
      }),
    );
    const launch = async (startedBy: string, tags: Array<{ key: string; value: string }>) => {
      const out = await ecs.send(
        new ecsSdk.RunTaskCommand({
          cluster,
          taskDefinition: longLived.taskDefinition?.taskDefinitionArn,
          launchType: "FARGATE",
          startedBy,
          ...(tags.length > 0 ? { tags } : {}),
          networkConfiguration: { awsvpcConfiguration: { subnets: network.subnets } },
        }),
      );
      const arn = out.tasks?.[0]?.taskArn;
      if (!arn) throw new Error(`RunTask returned no task: ${JSON.stringify(out.failures)}`);
      return arn;
    };
    const foreign = await launch("someone-else", [{ key: "team", value: "video" }]);
    const impostor = await launch("ecs-fanout", [{ key: "team", value: "video" }]);
    const leftover = await launch("ecs-fanout", [
      { key: "ecs-fanout:managed-by", value: "ecs-fanout" },
      { key: "ecs-fanout:run-id", value: "00000000-0000-4000-8000-000000000000" },
    ]);

    const segments = await row.segments(specs(8, 1500));
    const child = spawnOrchestrator(childOptions(row, { segments, maxParallelTasks: 2 }));
    await child.waitFor((line) => line.type === "segment.started");
    child.child.kill("SIGKILL");
    await child.exited;
    const ours = child.lines.filter((l) => l.type === "task.launched").map((l) => l["taskArn"] as string);
    expect(ours.length).toBeGreaterThan(0);

    // Nobody talks to the orphaned workers any more: they finish the job in hand and leave.
    const stillRunning = async () =>
      (await runningTaskArns(ecs, cluster)).filter((arn) => ours.includes(arn));
    expect(
      await eventually(async () => (await stillRunning()).length === 0, 20_000),
      "orphans exited by themselves",
    ).toBe(true);

    const cleanup = await cleanupStaleTasks({
      cluster,
      olderThanSeconds: 0,
      aws: row.stack.local.clientConfig,
    });
    expect(cleanup.stopped.map((t) => t.taskArn)).toEqual([leftover]);
    expect(cleanup.failed).toEqual([]);
    const running = await runningTaskArns(ecs, cluster);
    expect(running.sort()).toEqual([foreign, impostor].sort());

    // Not ours to stop, but this row must leave nothing behind.
    for (const task of [foreign, impostor]) {
      await ecs.send(new ecsSdk.StopTaskCommand({ cluster, task, reason: "fault matrix teardown" }));
    }
    await assertCleanRun(row, undefined);
  });
});
