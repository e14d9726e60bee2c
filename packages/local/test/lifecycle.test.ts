import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  describe1,
  fargateTaskDef,
  fetchJson,
  privateIp,
  runOne,
  runTask,
  testHarness,
  waitForStatus,
} from "./helpers.js";

type Served = { env: Record<string, string | undefined> };

describe("a Fargate task's lifecycle", () => {
  it("runs a real process and goes PROVISIONING → PENDING → RUNNING → DEPROVISIONING → STOPPED with every timestamp", async () => {
    const logDir = mkdtempSync(join(tmpdir(), "local-ecs-logs-"));
    const h = await testHarness({ logDir });
    const run = await runTask(h, {
      definition: fargateTaskDef({}, { GREETING: "hi" }),
      startedBy: "ecs-fanout",
      tags: [{ key: "ecs-fanout:run-id", value: "r1" }],
      overrides: {
        containerOverrides: [{ name: "worker", environment: [{ name: "GREETING", value: "hello" }] }],
      },
    });
    expect(run.failures).toEqual([]);
    const arn = run.tasks?.[0]?.taskArn ?? "";
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/default\/[0-9a-f]{32}$/);
    expect(run.tasks?.[0]?.lastStatus).toBe("PROVISIONING");
    expect(run.tasks?.[0]?.createdAt).toBeInstanceOf(Date);

    const running = await waitForStatus(h, arn, "RUNNING");
    expect(running.launchType).toBe("FARGATE");
    expect(running.desiredStatus).toBe("RUNNING");
    expect(running.cpu).toBe("1024");
    expect(running.memory).toBe("2048");
    expect(running.startedBy).toBe("ecs-fanout");
    expect(running.tags).toEqual([{ key: "ecs-fanout:run-id", value: "r1" }]);
    for (const at of [running.createdAt, running.pullStartedAt, running.pullStoppedAt, running.startedAt]) {
      expect(at).toBeInstanceOf(Date);
    }
    expect(running.pullStartedAt!.getTime()).toBeGreaterThanOrEqual(running.createdAt!.getTime());
    const eni = running.attachments?.[0];
    expect(eni?.type).toBe("ElasticNetworkInterface");
    const detail = (name: string) => eni?.details?.find((d) => d.name === name)?.value;
    expect(detail("networkInterfaceId")).toMatch(/^eni-/);
    expect(detail("subnetId")).toBe("subnet-0defa00000000001a");
    const ip = detail("privateIPv4Address") ?? "";
    expect(ip).toMatch(/^127\.0\.1\.\d+$/);

    // The process sees its own address, port, metadata URI and the overridden environment.
    const info = await fetchJson<Served>(`http://${ip}:8080/`);
    expect(info.env).toMatchObject({ HOST: ip, PORT: "8080", GREETING: "hello" });
    expect(info.env.ECS_CONTAINER_METADATA_URI_V4).toBe(`${h.local.endpoint}/v4/${arn.split("/").at(-1)}`);

    const stop = await h.ecs.send(new StopTaskCommand({ task: arn, reason: "test is done" }));
    expect(stop.task?.desiredStatus).toBe("STOPPED");
    const stopped = await waitForStatus(h, arn, "STOPPED");
    expect(stopped.stopCode).toBe("UserInitiated");
    expect(stopped.stoppedReason).toBe("test is done");
    expect(stopped.containers?.[0]?.exitCode).toBe(0);
    for (const at of [stopped.stoppingAt, stopped.executionStoppedAt, stopped.stoppedAt])
      expect(at).toBeInstanceOf(Date);
    expect(stopped.stoppedAt!.getTime()).toBeGreaterThanOrEqual(stopped.executionStoppedAt!.getTime());
    // AWS deletes the tags of a stopped task.
    expect(stopped.tags).toEqual([]);
    expect(h.local.runningProcesses()).toBe(0);
    const logFile = readFileSync(join(logDir, `${arn.split("/").at(-1)}.log`), "utf8");
    expect(logFile).toMatch(/ worker stdout got SIGTERM\n/);
    expect(logFile).toMatch(/ worker stderr task stderr line\n/);
  });

  it("stops the task with EssentialContainerExited and the exit code when the process exits", async () => {
    const h = await testHarness();
    const definition = fargateTaskDef({}, { TASK_EXIT_AFTER_MS: "100", TASK_EXIT_CODE: "3" });
    const stopped = await waitForStatus(h, await runOne(h, { definition }), "STOPPED");
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    expect(stopped.stoppedReason).toBe("Essential container in task exited");
    expect(stopped.containers?.[0]?.exitCode).toBe(3);
  });

  it("sends SIGKILL after the container's stop timeout when SIGTERM is ignored (exit 137)", async () => {
    const h = await testHarness({ timings: { stopTimeoutMsScale: 0.1 } });
    const definition = fargateTaskDef({}, { TASK_IGNORE_SIGTERM: "1" });
    definition.containerDefinitions![0]!.stopTimeout = 3; // 300 ms at this scale
    const arn = await runOne(h, { definition });
    const running = await waitForStatus(h, arn, "RUNNING");
    await fetchJson<Served>(`http://${privateIp(running)}:8080/`); // serving: its SIGTERM handler is installed
    const started = Date.now();
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    const stopped = await waitForStatus(h, arn, "STOPPED");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    expect(stopped.stoppedReason).toBe("Task stopped by user");
  });

  it("treats StopTask on a stopped task as harmless, and keeps it describable", async () => {
    const h = await testHarness();
    const arn = await runOne(h);
    await h.ecs.send(new StopTaskCommand({ task: arn, reason: "first" }));
    await waitForStatus(h, arn, "STOPPED");
    const again = await h.ecs.send(new StopTaskCommand({ task: arn, reason: "second" }));
    expect(again.task?.lastStatus).toBe("STOPPED");
    expect(again.task?.stoppedReason).toBe("first");
    expect((await describe1(h, arn)).lastStatus).toBe("STOPPED");
  });
});
