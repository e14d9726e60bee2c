import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { CLUSTER, desiredStatus, launchSleepers, startTestEndpoint } from "./support/endpoint.js";

let home: string;
let endpoint: Awaited<ReturnType<typeof startTestEndpoint>>;
let oldRun: string[];
let otherRun: string[];
let unmanaged: string[];
let foreign: string[];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "cli-tasks-"));
  endpoint = await startTestEndpoint();
  // Left running on purpose: two tasks of a run whose orchestrator "died", one of another run,
  // one with our startedBy but without our managed-by tag, and one that is not ours at all.
  oldRun = await launchSleepers(endpoint.ecs, 2, {
    startedBy: "ecs-fanout",
    runId: "run-old",
    managed: true,
  });
  otherRun = await launchSleepers(endpoint.ecs, 1, {
    startedBy: "ecs-fanout",
    runId: "run-other",
    managed: true,
  });
  unmanaged = await launchSleepers(endpoint.ecs, 1, { startedBy: "ecs-fanout", managed: false });
  foreign = await launchSleepers(endpoint.ecs, 1, { startedBy: "someone-else", managed: false });
});

afterAll(async () => {
  await endpoint?.close();
  await rm(home, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, { home, env: endpoint.env });

describe("ls and cleanup against tasks left running on purpose", () => {
  it("ls lists only our managed tasks, with their run ids, and says where it looked", async () => {
    const run = await cli("ls", "--cluster", CLUSTER, "--json");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`using the ECS endpoint ${endpoint.env.AWS_ENDPOINT_URL}`);
    const listed = JSON.parse(run.stdout) as { tasks: Array<{ taskArn: string; runId: string }> };
    expect(listed.tasks.map((t) => t.taskArn).sort()).toEqual([...oldRun, ...otherRun].sort());
    expect(listed.tasks.filter((t) => t.runId === "run-old")).toHaveLength(2);
  });

  it("cleanup --dry-run shows what it would stop and stops nothing", async () => {
    const run = await cli("cleanup", "--cluster", CLUSTER, "--dry-run");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("dry run: would stop 3 task(s)");
    const all = [...oldRun, ...otherRun, ...unmanaged, ...foreign];
    expect(Object.values(await desiredStatus(endpoint.ecs, all))).toEqual(all.map(() => "RUNNING"));
  });

  it("cleanup without --yes and without a terminal refuses with exit 2 and stops nothing", async () => {
    const run = await cli("cleanup", "--cluster", CLUSTER);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--yes");
    expect(Object.values(await desiredStatus(endpoint.ecs, oldRun))).toEqual(["RUNNING", "RUNNING"]);
  });

  it("cleanup --run-id --yes stops that run's tasks and leaves every other task alone", async () => {
    const run = await cli("cleanup", "--cluster", CLUSTER, "--run-id", "run-old", "--yes");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("stopped 2 task(s) in cli-test of run run-old");
    const status = await desiredStatus(endpoint.ecs, [...oldRun, ...otherRun, ...unmanaged, ...foreign]);
    for (const arn of oldRun) expect(status[arn]).toBe("STOPPED");
    for (const arn of [...otherRun, ...unmanaged, ...foreign]) expect(status[arn]).toBe("RUNNING");
  });

  it("cleanup --older-than skips tasks younger than that", async () => {
    const run = await cli("cleanup", "--cluster", CLUSTER, "--older-than", "2h", "--yes");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/nothing to stop in cli-test older than 2h00m/);
    expect((await desiredStatus(endpoint.ecs, otherRun))[otherRun[0]!]).toBe("RUNNING");
  });
});
