import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { cleanupStaleTasks, listTasks } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER, type Env, registerWorker, runningTaskArns, startEnv } from "./helpers.js";

const managed = (runId: string) => [
  { key: "ecs-fanout:managed-by", value: "ecs-fanout" },
  { key: "ecs-fanout:run-id", value: runId },
];

describe("listTasks and cleanupStaleTasks against tasks left running on purpose", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  async function leave(
    env: Env,
    td: string,
    startedBy: string,
    tags: { key: string; value: string }[],
    count = 1,
  ): Promise<string[]> {
    const out = await env.ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: td,
        count,
        launchType: "FARGATE",
        startedBy,
        tags,
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ["subnet-0a11ed0000000001a"], assignPublicIp: "ENABLED" },
        },
      }),
    );
    return (out.tasks ?? []).map((t) => t.taskArn ?? "");
  }

  it("lists only ours, and cleans up only ours, narrowed by run and age", async () => {
    env = await startEnv({
      images: [{ match: "*", command: [process.execPath, "-e", "setInterval(() => {}, 1000)"] }],
    });
    const td = await registerWorker(env, "sleeper");
    const old = await leave(env, td, "ecs-fanout", managed("run-old"), 2);
    const [fresh] = await leave(env, td, "ecs-fanout", managed("run-new"));
    const [untagged] = await leave(env, td, "ecs-fanout", [{ key: "owner", value: "someone" }]);
    const [otherTool] = await leave(env, td, "other-tool", managed("run-old"));
    const aws = env.local.clientConfig;

    const listed = await listTasks({ cluster: CLUSTER, aws });
    expect(listed.map((t) => t.taskArn).sort()).toEqual([...old, fresh].sort());
    expect(listed.every((t) => t.managed && t.startedBy === "ecs-fanout" && t.ageSeconds !== undefined)).toBe(
      true,
    );
    expect(listed.every((t) => t.publicIp?.startsWith("127.0.2."))).toBe(true);
    expect((await listTasks({ cluster: CLUSTER, aws, runId: "run-new" })).map((t) => t.taskArn)).toEqual([
      fresh,
    ]);
    expect(
      (await listTasks({ cluster: CLUSTER, aws, includeUnmanaged: true })).map((t) => t.taskArn),
    ).toContain(untagged);

    const dry = await cleanupStaleTasks({ cluster: CLUSTER, aws, dryRun: true });
    expect(dry.matched).toHaveLength(3);
    expect(dry.stopped).toEqual([]);
    expect(await runningTaskArns(env)).toHaveLength(5);

    const young = await cleanupStaleTasks({ cluster: CLUSTER, aws, olderThanSeconds: 3600 });
    expect(young.stopped).toEqual([]);
    expect(young.skipped.filter((s) => s.reason === "too-young")).toHaveLength(3);

    const oneRun = await cleanupStaleTasks({
      cluster: CLUSTER,
      aws,
      runId: "run-old",
      reason: "test cleanup",
    });
    expect(oneRun.stopped.map((t) => t.taskArn).sort()).toEqual([...old].sort());
    expect(oneRun.skipped.map((s) => [s.task.taskArn, s.reason])).toEqual(
      expect.arrayContaining([
        [fresh, "other-run"],
        [untagged, "not-managed"],
      ]),
    );

    const rest = await cleanupStaleTasks({ cluster: CLUSTER, aws });
    expect(rest.stopped.map((t) => t.taskArn)).toEqual([fresh]);
    expect(rest.failed).toEqual([]);

    // Tasks that are not ours are untouched.
    await new Promise((r) => setTimeout(r, 300));
    expect((await runningTaskArns(env)).sort()).toEqual([untagged, otherTool].sort());
  });
});
