import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";

/**
 * Every task ARN started with `startedBy` (RUNNING, ECS's default). AWS requires startedBy to be
 * the only filter, so status, family and tags are filtered after DescribeTasks. Paginated, 100 a page.
 */
export async function listTaskArns(ctx: AwsContext, startedBy: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const response = await awsCall(
      ctx.policy,
      { operation: "ListTasks", bucket: ctx.buckets.read, cluster: ctx.cluster, signal: ctx.signal },
      () =>
        ctx.clients.ecs.send(
          new ListTasksCommand({ cluster: ctx.cluster, startedBy, maxResults: 100, nextToken }),
          {
            abortSignal: ctx.signal,
          },
        ),
    );
    arns.push(...(response.taskArns ?? []));
    nextToken = response.nextToken;
  } while (nextToken !== undefined && nextToken !== "");
  return arns;
}
