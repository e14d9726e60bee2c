import {
  CreateLogGroupCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { fargateTaskDef, privateIp, runOne, testHarness, waitFor, waitForStatus } from "./helpers.js";

describe("the task metadata endpoint v4", () => {
  it("serves /task and the container document for a running task, 404 for unknown tasks", async () => {
    const h = await testHarness();
    const arn = await runOne(h);
    const task = await waitForStatus(h, arn, "RUNNING");
    const id = arn.split("/").at(-1);
    const doc = (await (await fetch(`${h.local.endpoint}/v4/${id}/task`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      Cluster: "arn:aws:ecs:us-east-1:000000000000:cluster/default",
      TaskARN: arn,
      Family: "worker",
      Revision: "1",
      DesiredStatus: "RUNNING",
      KnownStatus: "RUNNING",
      Limits: { CPU: 1, Memory: 2048 },
      AvailabilityZone: "us-east-1a",
      LaunchType: "FARGATE",
    });
    expect(typeof doc["PullStartedAt"]).toBe("string");
    const containers = doc["Containers"] as {
      Name: string;
      Networks: { NetworkMode: string; IPv4Addresses: string[] }[];
    }[];
    const ip = privateIp(task);
    expect(containers[0]?.Name).toBe("worker");
    expect(containers[0]?.Networks[0]).toMatchObject({ NetworkMode: "awsvpc", IPv4Addresses: [ip] });
    const container = (await (await fetch(`${h.local.endpoint}/v4/${id}`)).json()) as Record<string, unknown>;
    expect(container["Name"]).toBe("worker");
    expect(container["Labels"]).toMatchObject({ "com.amazonaws.ecs.task-arn": arn });
    expect((await fetch(`${h.local.endpoint}/v4/${"0".repeat(32)}/task`)).status).toBe(404);
  });
});

describe("CloudWatch Logs from task output", () => {
  it("writes stdout and stderr to the awslogs stream prefix/container/taskId", async () => {
    const h = await testHarness();
    const arn = await runOne(h);
    await waitForStatus(h, arn, "RUNNING");
    const id = arn.split("/").at(-1);
    const stream = `fanout/worker/${id}`;
    const streams = await waitFor("the log stream", async () => {
      const out = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: "/ecs/worker" }));
      return out.logStreams?.length ? out.logStreams : undefined;
    });
    expect(streams.map((s) => s.logStreamName)).toEqual([stream]);
    const events = await waitFor("the listening line", async () => {
      const out = await h.logs.send(
        new GetLogEventsCommand({ logGroupName: "/ecs/worker", logStreamName: stream, startFromHead: true }),
      );
      return out.events?.some((e) => e.message === "listening") ? out.events : undefined;
    });
    expect(events.map((e) => e.message)).toEqual(expect.arrayContaining(["task stderr line", "listening"]));
    expect(typeof events[0]?.timestamp).toBe("number");

    const filtered = await h.logs.send(
      new FilterLogEventsCommand({ logGroupName: "/ecs/worker", filterPattern: "stderr" }),
    );
    expect(filtered.events?.map((e) => [e.logStreamName, e.message])).toEqual([[stream, "task stderr line"]]);
  });

  it("pages GetLogEvents forward with nextForwardToken and returns the same token at the end", async () => {
    const h = await testHarness();
    const arn = await runOne(h);
    const stream = `fanout/worker/${arn.split("/").at(-1)}`;
    await waitFor("three lines", async () => {
      const out = await h.logs
        .send(new GetLogEventsCommand({ logGroupName: "/ecs/worker", logStreamName: stream }))
        .catch(() => undefined);
      return (out?.events?.length ?? 0) >= 3 ? true : undefined;
    });
    const messages: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const out = await h.logs.send(
        new GetLogEventsCommand({
          logGroupName: "/ecs/worker",
          logStreamName: stream,
          startFromHead: true,
          limit: 1,
          nextToken: token,
        }),
      );
      messages.push(...(out.events ?? []).map((e) => e.message ?? ""));
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    expect(messages[0]).toMatch(/^task starting on 127\.0\.1\.\d+:8080$/);
    expect(messages).toContain("task stderr line");
    expect(messages).toContain("listening");
  });

  it("fails the task to start when the log group is missing and awslogs-create-group is not set", async () => {
    const h = await testHarness();
    const definition = fargateTaskDef();
    const options = definition.containerDefinitions![0]!.logConfiguration!.options!;
    delete options["awslogs-create-group"];
    options["awslogs-group"] = "/ecs/missing";
    const stopped = await waitForStatus(h, await runOne(h, { definition }), "STOPPED");
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toContain("ResourceInitializationError");
    expect(stopped.stoppedReason).toContain("The specified log group does not exist");
  });

  it("answers CreateLogGroup twice with ResourceAlreadyExistsException and unknown groups with ResourceNotFoundException", async () => {
    const h = await testHarness();
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/x" }));
    const again = await h.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/x" })).catch((e) => e);
    expect(again.name).toBe("ResourceAlreadyExistsException");
    const missing = await h.logs
      .send(new DescribeLogStreamsCommand({ logGroupName: "/ecs/nope" }))
      .catch((e) => e);
    expect(missing.name).toBe("ResourceNotFoundException");
  });
});
