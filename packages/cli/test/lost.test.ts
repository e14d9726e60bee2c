import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { generateTestVideo } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.js";
import { shortArn } from "../src/report/format.js";
import { lossReason } from "../src/report/lost-tasks.js";
import { lostBecause } from "../src/report/run-report.js";
import { type LocalTarget, openLocalTarget } from "../src/target/local.js";
import { memoryIo } from "./support/io.js";

describe("why a task was lost", () => {
  const stopped = {
    type: "task.stopped",
    time: 0,
    runId: "r",
    taskArn: "arn:aws:ecs:us-east-1:0:task/c/abc",
    stopCode: undefined,
    stoppedReason: undefined,
  } as const;

  it("is nothing for a task stopped because its work was done", () => {
    expect(lossReason({ ...stopped, expected: true, stopCode: "UserInitiated" })).toBeUndefined();
  });

  it("is the run's own reason, else what ECS said", () => {
    expect(lossReason({ ...stopped, expected: false, lostBecause: "worker unreachable" })).toBe(
      "worker unreachable",
    );
    expect(
      lossReason({
        ...stopped,
        expected: false,
        stopCode: "SpotInterruption",
        stoppedReason: "Your Spot Task was interrupted.",
      }),
    ).toBe("SpotInterruption: Your Spot Task was interrupted.");
    expect(lossReason({ ...stopped, expected: false })).toBe("lost");
  });

  it("adds ECS's stopped reason when it says more, but not our own StopTask reason", () => {
    expect(lostBecause({ stoppedReason: "Essential container in task exited" }, "connect ECONNREFUSED")).toBe(
      "connect ECONNREFUSED (ECS: Essential container in task exited)",
    );
    expect(lostBecause({ stoppedReason: "ecs-fanout: task lost (no address)" }, "no address")).toBe(
      "no address",
    );
    expect(
      lostBecause(
        { stoppedReason: "Essential container in task exited" },
        "EssentialContainerExited: Essential container in task exited",
      ),
    ).toBe("EssentialContainerExited: Essential container in task exited");
    expect(lostBecause({ stoppedReason: "UserInitiated" }, undefined)).toBe("");
  });

  it("adds the container's exit code when ECS reported one", () => {
    expect(
      lostBecause(
        { stoppedReason: "Essential container in task exited", exitCode: 137 },
        "connect ECONNREFUSED",
      ),
    ).toBe("connect ECONNREFUSED (ECS: Essential container in task exited; exit 137)");
    expect(lostBecause({ stoppedReason: "ecs-fanout: task lost", exitCode: 0 }, "draining")).toBe(
      "draining (exit 0)",
    );
  });
});

describe("the run report of a run that lost tasks (real core, local endpoint)", () => {
  let dir: string;
  let clip: string;
  let target: LocalTarget;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cli-lost-"));
    clip = join(dir, "clip.mp4");
    await generateTestVideo({ output: clip, seconds: 12, width: 160, height: 90 });
    target = await openLocalTarget({ cluster: "cli-lost" });
  });
  afterAll(async () => {
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Waits until two tasks are processing a segment (per the progress log) and returns their ARNs. */
  async function busyTasks(log: () => string): Promise<[string, string]> {
    for (let i = 0; i < 3000; i++) {
      const keys = new Set([...log().matchAll(/task #\d+ (\w+) seg-\d+ processing/g)].map((m) => m[1]!));
      if (keys.size >= 2) {
        const listed = await target.clients!.ecs!.send(new ListTasksCommand({ cluster: "cli-lost" }));
        const [a, b] = [...keys].map((k) =>
          (listed.taskArns ?? []).find((arn) => shortArn(arn).startsWith(k)),
        );
        if (a && b) return [a, b];
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no two tasks took work:\n${log()}`);
  }

  it("shows why the interrupted and the crashed task stopped early, and nothing for the others", async () => {
    const creds = target.local.clientConfig.credentials;
    const io = memoryIo({
      home: dir,
      cwd: dir,
      env: {
        AWS_ENDPOINT_URL: target.local.endpoint,
        AWS_REGION: target.local.region,
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      },
    });
    const args = ["run", clip, "--out", "out.mp4", "--tasks", "2", "--segment-seconds", "1", "--spot"];
    const running = main([...args, "--cluster", "cli-lost"], io);
    // Mid-work, as Spot and crashes strike: the crashed task's segment goes back in the queue.
    const [interrupted, crashed] = await busyTasks(() => io.err());
    target.local.interruptTask(interrupted);
    target.local.crashTask(crashed);
    const code = await running;
    expect(code, io.err()).toBe(0);

    const table = io.out().split("\n\n")[1]!.split("\n");
    expect(table[0]).toMatch(/\bstop\s+lost because$/);
    const row = (arn: string) => table.find((l) => l.startsWith(shortArn(arn)));
    expect(row(interrupted)).toMatch(/SpotInterruption.*Your Spot Task was interrupted\./);
    const lostColumn = table[0]!.indexOf("lost because");
    const reasons = table.slice(2).map((l) => l.slice(lostColumn).trim());
    // Two lost, the replacements not: a reason only where a task stopped early.
    expect(reasons.filter(Boolean).length).toBe(2);
    // The crash fault SIGKILLs the worker: ECS reports exit code 137, and the table shows it.
    expect(row(crashed)!.slice(lostColumn).trim()).toMatch(/exit 137\)$/);
    // The live log said it too, the moment each loss was noticed.
    const live = io.err().match(/STOPPED \(lost: .+\)$/gm) ?? [];
    expect(live.length).toBe(2);
  }, 120_000);
});
