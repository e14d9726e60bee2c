import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  describe1,
  fargateTaskDef,
  fetchJson,
  privateIp,
  runOne,
  testHarness,
  waitForStatus,
} from "./helpers.js";

type Served = { pid: number };

/** One GET with its own deadline: the answer's pid, or "no answer" when none came in time. */
async function answer(url: string, withinMs: number): Promise<number | "no answer"> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(withinMs) });
    return ((await response.json()) as Served).pid;
  } catch {
    return "no answer";
  }
}

describe("freezing a task's worker", () => {
  it("keeps the task RUNNING while its process answers nothing, and answers again once thawed", async () => {
    const h = await testHarness();
    const arn = await runOne(h);
    const url = `http://${privateIp(await waitForStatus(h, arn, "RUNNING"))}:8080/`;
    const { pid } = await fetchJson<Served>(url);

    h.local.freezeTask(arn);
    expect(await answer(url, 500)).toBe("no answer");
    // A hung host is still RUNNING as far as ECS knows: only the orchestrator can notice.
    expect((await describe1(h, arn)).lastStatus).toBe("RUNNING");

    h.local.thawTask(arn);
    // The same process, serving again: nothing restarted it.
    expect(await answer(url, 5000)).toBe(pid);
  });

  it("still stops a frozen task on StopTask, with SIGKILL once its stop timeout passes", async () => {
    const h = await testHarness({ timings: { stopTimeoutMsScale: 0.1 } });
    const definition = fargateTaskDef();
    definition.containerDefinitions![0]!.stopTimeout = 3; // 300 ms at this scale
    const arn = await runOne(h, { definition });
    await fetchJson<Served>(`http://${privateIp(await waitForStatus(h, arn, "RUNNING"))}:8080/`);
    h.local.freezeTask(arn);
    await h.ecs.send(new StopTaskCommand({ task: arn, reason: "frozen" }));
    const stopped = await waitForStatus(h, arn, "STOPPED");
    // A stopped process cannot run its SIGTERM handler: only the SIGKILL ends it.
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    expect(stopped.stoppedReason).toBe("frozen");
  });
});
