import { describe, expect, it } from "vitest";
import { taskDefinitionProblems } from "../../src/ecs/preflight.js";
import type { TaskSnapshot } from "../../src/ecs/snapshot.js";
import { configurationStopCause } from "../../src/ecs/stop-reasons.js";
import type { TaskDefinitionInfo } from "../../src/ecs/task-definition-info.js";

const td = (over: Partial<TaskDefinitionInfo> = {}): TaskDefinitionInfo => ({
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/worker:1",
  containerName: "worker",
  containerPort: 8080,
  networkMode: "awsvpc",
  logs: { group: "/ecs/w", streamPrefix: "fanout" },
  gpus: 0,
  image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:1",
  executionRoleArn: "arn:aws:iam::123456789012:role/exec",
  compatibilities: ["FARGATE"],
  mappedPorts: [8080],
  portWanted: undefined,
  ...over,
});

describe("taskDefinitionProblems", () => {
  it("finds nothing wrong with a complete Fargate worker definition", () => {
    expect(taskDefinitionProblems(td())).toEqual([]);
  });

  it.each([
    ["an empty image", { image: "" }, "names no image"],
    ["no image at all", { image: undefined }, "names no image"],
    [
      "awslogs on Fargate without an execution role",
      { executionRoleArn: undefined },
      "Fargate requires task definition to have execution role ARN to support log driver awslogs",
    ],
    ["a containerPort the container does not map", { portWanted: 9000 }, "not the containerPort 9000"],
    [
      "bridge mode with no port mapping",
      { networkMode: "bridge", compatibilities: ["EC2"], mappedPorts: [], portWanted: 8080 },
      "cannot be reached",
    ],
  ])("reports %s", (_what, over, message) => {
    expect(taskDefinitionProblems(td(over))).toEqual([expect.stringContaining(message)]);
  });

  it("lets an EC2 definition log with awslogs without an execution role (the instance role writes logs)", () => {
    expect(taskDefinitionProblems(td({ executionRoleArn: undefined, compatibilities: ["EC2"] }))).toEqual([]);
  });

  it("reports every problem together", () => {
    expect(
      taskDefinitionProblems(td({ image: "", executionRoleArn: undefined, portWanted: 1 })),
    ).toHaveLength(3);
  });
});

const stopped = (over: Partial<TaskSnapshot>): TaskSnapshot =>
  ({ desiredStatus: "STOPPED", lastStatus: "STOPPED", ...over }) as TaskSnapshot;

describe("configurationStopCause", () => {
  it.each([
    [
      "a missing log group",
      {
        stopCode: "TaskFailedToStart",
        stoppedReason:
          "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1",
      },
    ],
    [
      "an image that does not exist",
      {
        stopCode: "TaskFailedToStart",
        stoppedReason:
          "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref x: not found",
      },
    ],
    [
      "a secret it may not read",
      {
        stopCode: "TaskFailedToStart",
        stoppedReason:
          "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException",
      },
    ],
    [
      "the reason only on the container",
      {
        stopCode: "TaskFailedToStart",
        stoppedReason: "Task failed to start",
        containerReason: "CannotCreateContainerError: Error response from daemon: invalid mount config",
      },
    ],
  ])("is a configuration problem: %s", (_what, over) => {
    expect(configurationStopCause(stopped(over))).toBeDefined();
  });

  it.each([
    [
      "a Spot interruption",
      { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." },
    ],
    ["our own StopTask", { stopCode: "UserInitiated", stoppedReason: "ecs-fanout: no more work" }],
    [
      "a crash",
      { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" },
    ],
    [
      "a registry rate limit",
      {
        stopCode: "TaskFailedToStart",
        stoppedReason: "CannotPullContainerError: toomanyrequests: You have reached your pull rate limit.",
      },
    ],
    [
      "a pull timeout",
      {
        stopCode: "TaskFailedToStart",
        stoppedReason: "CannotPullContainerError: ref pull has been retried 5 time(s): dial tcp: i/o timeout",
      },
    ],
    [
      "a lost address",
      {
        stopCode: "TaskFailedToStart",
        stoppedReason: "Timeout waiting for network interface provisioning to complete.",
      },
    ],
  ])("is bad luck, retried with a replacement: %s", (_what, over) => {
    expect(configurationStopCause(stopped(over))).toBeUndefined();
  });
});
