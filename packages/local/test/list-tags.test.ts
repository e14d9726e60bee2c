import {
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  paginateListTasks,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecs";
import { beforeAll, describe, expect, it } from "vitest";
import { fileHarness, runTasks, waitForStatus } from "./helpers.js";

const h = fileHarness();
const launched: string[] = [];
beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    launched.push(
      ...(await runTasks(h, {
        count: 5,
        startedBy: "ecs-fanout",
        tags: [{ key: "batch", value: String(i) }],
      })),
    );
  }
});

describe("ListTasks", () => {
  it("pages with maxResults and nextToken through every task, each once", async () => {
    const seen: string[] = [];
    for await (const page of paginateListTasks({ client: h.ecs, pageSize: 4 }, { startedBy: "ecs-fanout" })) {
      expect(page.taskArns?.length).toBeLessThanOrEqual(4);
      seen.push(...(page.taskArns ?? []));
    }
    expect(seen.sort()).toEqual([...launched].sort());
  });

  it("keeps pages stable when a task stops between pages", async () => {
    const first = await h.ecs.send(new ListTasksCommand({ startedBy: "ecs-fanout", maxResults: 5 }));
    const victim = first.taskArns?.[0] ?? "";
    await h.ecs.send(new StopTaskCommand({ task: victim }));
    const rest = [];
    let token = first.nextToken;
    while (token) {
      const page = await h.ecs.send(
        new ListTasksCommand({ startedBy: "ecs-fanout", maxResults: 5, nextToken: token }),
      );
      rest.push(...(page.taskArns ?? []));
      token = page.nextToken;
    }
    expect(rest).toHaveLength(launched.length - 5);
    const stopped = await h.ecs.send(new ListTasksCommand({ desiredStatus: "STOPPED" }));
    expect(stopped.taskArns).toContain(victim);
  });

  it("filters by family and launch type, and PENDING matches nothing", async () => {
    const byFamily = await h.ecs.send(new ListTasksCommand({ family: "worker", launchType: "FARGATE" }));
    expect(byFamily.taskArns?.length).toBeGreaterThan(0);
    const other = await h.ecs.send(new ListTasksCommand({ family: "nope" }));
    expect(other.taskArns).toEqual([]);
    const pending = await h.ecs.send(new ListTasksCommand({ desiredStatus: "PENDING" }));
    expect(pending.taskArns).toEqual([]);
  });

  it("rejects a token from a different query", async () => {
    const first = await h.ecs.send(new ListTasksCommand({ startedBy: "ecs-fanout", maxResults: 1 }));
    const error = await h.ecs
      .send(new ListTasksCommand({ family: "worker", maxResults: 1, nextToken: first.nextToken }))
      .catch((e) => e);
    expect(error.name).toBe("InvalidParameterException");
  });
});

describe("tags", () => {
  it("returns tags with include TAGS only, and supports Tag/Untag/ListTagsForResource", async () => {
    const arn = launched[7] ?? "";
    const without = await h.ecs.send(new DescribeTasksCommand({ tasks: [arn] }));
    expect(without.tasks?.[0]?.tags).toBeUndefined();
    await h.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "owner", value: "me" }] }));
    await h.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["batch"] }));
    const listed = await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(listed.tags).toEqual([{ key: "owner", value: "me" }]);
    const withTags = await h.ecs.send(new DescribeTasksCommand({ tasks: [arn], include: ["TAGS"] }));
    expect(withTags.tasks?.[0]?.tags).toEqual([{ key: "owner", value: "me" }]);
  });

  it("deletes the tags of a stopped task, and refuses new ones", async () => {
    const arn = launched[8] ?? "";
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    await waitForStatus(h, arn, "STOPPED");
    expect((await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([]);
    const error = await h.ecs
      .send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "k", value: "v" }] }))
      .catch((e) => e);
    expect(error.name).toBe("InvalidParameterException");
  });

  it("answers DescribeTasks for unknown tasks with MISSING failures", async () => {
    const unknown = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef";
    const out = await h.ecs.send(new DescribeTasksCommand({ tasks: [launched[0] ?? "", unknown] }));
    expect(out.tasks).toHaveLength(1);
    expect(out.failures).toEqual([{ arn: unknown, reason: "MISSING" }]);
  });
});
