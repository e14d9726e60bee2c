import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";

/** Where a container's awslogs go (from the task definition's logConfiguration). */
export interface LogLocation {
  readonly group: string;
  readonly streamPrefix: string | undefined;
  /** `awslogs-region`, when the task definition names one. */
  readonly region?: string | undefined;
  /** `awslogs-create-group: "true"`: ECS creates the group itself. */
  readonly createGroup?: boolean;
}

/** The awslogs stream name of a task's container: `prefix/container/taskId`. */
export function logStreamName(
  location: LogLocation,
  containerName: string,
  taskId: string,
): string | undefined {
  // Without a stream prefix awslogs names streams by container id, which ECS does not tell us.
  if (location.streamPrefix === undefined) return undefined;
  return `${location.streamPrefix}/${containerName}/${taskId}`;
}

/** The last `lines` log lines of a task's container, or undefined when they cannot be read. */
export async function logTail(
  ctx: AwsContext,
  location: LogLocation,
  containerName: string,
  taskId: string,
  lines = 20,
): Promise<string[] | undefined> {
  const stream = logStreamName(location, containerName, taskId);
  if (stream === undefined) return undefined;
  const response = await awsCall(
    ctx.policy,
    { operation: "GetLogEvents", bucket: ctx.buckets.other, signal: ctx.signal },
    () =>
      ctx.clients.logs.send(
        new GetLogEventsCommand({
          logGroupName: location.group,
          logStreamName: stream,
          limit: lines,
          startFromHead: false,
        }),
        { abortSignal: ctx.signal },
      ),
  );
  return (response.events ?? []).map((e) => e.message ?? "").slice(-lines);
}
