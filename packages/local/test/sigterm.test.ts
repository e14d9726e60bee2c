import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  alive,
  type Clients,
  fargateTaskDef,
  runOne,
  testHarness,
  waitFor,
  waitForStatus,
} from "./helpers.js";

const DRAIN = fileURLToPath(new URL("./fixtures/drain.mjs", import.meta.url));
const drainImages = [{ match: "*", command: ["node", DRAIN] }];

interface Event {
  who: string;
  event: string;
  pid: number;
}

const events = (log: string): Event[] =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [who = "", event = "", pid = "0"] = line.split(" ");
          return { who, event, pid: Number(pid) };
        })
    : [];

const has = (log: string, who: string, event: string) =>
  events(log).some((e) => e.who === who && e.event === event);

/** Run the drain fixture (parent + one child) as a Fargate task; resolves once both are up. */
async function runDrain(
  harness: Pick<Clients, "ecs">,
  opts: { stopTimeout: number; ignoreSigterm?: boolean; spot?: boolean },
): Promise<{ arn: string; log: string; pids: number[] }> {
  const log = join(mkdtempSync(join(tmpdir(), "local-ecs-drain-")), "events.log");
  const definition = fargateTaskDef(
    {},
    { DRAIN_LOG: log, ...(opts.ignoreSigterm ? { DRAIN_IGNORE_SIGTERM: "1" } : {}) },
  );
  definition.containerDefinitions![0]!.stopTimeout = opts.stopTimeout;
  const arn = await runOne(harness, {
    definition,
    ...(opts.spot
      ? { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }
      : {}),
  });
  await waitForStatus(harness, arn, "RUNNING");
  // Both must have their SIGTERM handlers installed (they log "started" after installing them).
  await waitFor("parent and child to start", async () =>
    has(log, "parent", "started") && has(log, "child", "started") ? true : undefined,
  );
  return { arn, log, pids: events(log).map((e) => e.pid) };
}

describe("SIGTERM goes to the container's main process only (as tini → PID 1's child)", () => {
  for (const how of ["StopTask", "Spot interruption"] as const) {
    it(`${how}: a draining task's child is not signalled and finishes; exit 0`, async () => {
      // Stop timeout and Spot notice both far longer than the test needs: nothing is killed.
      const h = await testHarness({
        images: drainImages,
        timings: { stopTimeoutMsScale: 0.1, spotNoticeMs: 12_000 },
      });
      const { arn, log, pids } = await runDrain(h, { stopTimeout: 120, spot: how !== "StopTask" });
      if (how === "StopTask") await h.ecs.send(new StopTaskCommand({ task: arn }));
      else h.local.interruptTask(arn);
      await waitFor("the parent's SIGTERM", async () => (has(log, "parent", "SIGTERM") ? true : undefined));
      // The parent is draining: still alive, waiting for its child, which is still working.
      expect(pids.every(alive)).toBe(true);
      writeFileSync(`${log}.release`, "");
      const stopped = await waitForStatus(h, arn, "STOPPED");
      expect(stopped.stopCode).toBe(how === "StopTask" ? "UserInitiated" : "SpotInterruption");
      expect(stopped.containers?.[0]?.exitCode).toBe(0);
      expect(has(log, "child", "SIGTERM")).toBe(false);
      expect(has(log, "child", "done")).toBe(true);
      await waitFor("every process to be gone", async () => (pids.some(alive) ? undefined : true), 5000);
    });
  }

  it("after the stop timeout, SIGKILL ends the whole group; the child never saw SIGTERM", async () => {
    const h = await testHarness({ images: drainImages, timings: { stopTimeoutMsScale: 0.1 } });
    // The parent ignores SIGTERM and the child is never released: only SIGKILL ends them.
    const { arn, log, pids } = await runDrain(h, { stopTimeout: 2, ignoreSigterm: true });
    expect(pids).toHaveLength(2);
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    const stopped = await waitForStatus(h, arn, "STOPPED");
    expect(stopped.stopCode).toBe("UserInitiated");
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    await waitFor("every process to be gone", async () => (pids.some(alive) ? undefined : true), 5000);
    expect(has(log, "parent", "SIGTERM")).toBe(true);
    expect(has(log, "child", "SIGTERM")).toBe(false);
    expect(has(log, "child", "done")).toBe(false);
    expect(h.local.runningProcesses()).toBe(0);
  });
});
