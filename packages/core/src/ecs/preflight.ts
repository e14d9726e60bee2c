import { DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";
import { AwsCallError, ConfigurationError } from "../errors.js";
import type { TaskDefinitionInfo } from "./task-definition-info.js";

/**
 * What AWS would only reject after a task was launched (and billing started), found from the task
 * definition alone. Pure, so each rule is tested on its own.
 */
export function taskDefinitionProblems(td: TaskDefinitionInfo): string[] {
  const problems: string[] = [];
  const name = `container ${td.containerName} of ${td.taskDefinitionArn ?? "the task definition"}`;
  if (td.image === undefined || td.image.trim() === "") problems.push(`${name} names no image`);
  if (td.logs !== undefined && td.compatibilities.includes("FARGATE") && td.executionRoleArn === undefined)
    problems.push(
      `${name} logs with awslogs on Fargate but the task definition has no executionRoleArn ` +
        "(Fargate requires task definition to have execution role ARN to support log driver awslogs)",
    );
  if (td.portWanted !== undefined && td.mappedPorts.length > 0 && !td.mappedPorts.includes(td.portWanted))
    problems.push(
      `${name} maps port${td.mappedPorts.length === 1 ? "" : "s"} ${td.mappedPorts.join(", ")}, not the containerPort ${td.portWanted} the run asked for`,
    );
  if (td.portWanted !== undefined && td.mappedPorts.length === 0 && td.networkMode === "bridge")
    problems.push(`${name} maps no port, so in bridge mode port ${td.portWanted} cannot be reached`);
  return problems;
}

/**
 * Checks, before the first RunTask, what would otherwise make every task fail at start: the task
 * definition's own consistency and the awslogs group's existence. Throws a ConfigurationError
 * naming every problem. A check the caller lacks permission for is skipped with a warning: the
 * preflight must never block a run that would work.
 */
export async function preflight(ctx: AwsContext, td: TaskDefinitionInfo, region: string): Promise<void> {
  const problems = taskDefinitionProblems(td);
  const logs = td.logs;
  if (logs !== undefined && !logs.createGroup && (logs.region === undefined || logs.region === region)) {
    const missing = await logGroupMissing(ctx, logs.group);
    if (missing)
      problems.push(
        `log group ${logs.group} (awslogs-group of container ${td.containerName}) does not exist: ` +
          'create it, or set awslogs-create-group: "true" with logs:CreateLogGroup on the execution role',
      );
  }
  if (problems.length > 0)
    throw new ConfigurationError(
      `the worker task definition cannot start a task (nothing was launched):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
}

async function logGroupMissing(ctx: AwsContext, group: string): Promise<boolean> {
  try {
    await awsCall(
      ctx.policy,
      { operation: "DescribeLogStreams", bucket: ctx.buckets.read, cluster: ctx.cluster, signal: ctx.signal },
      () =>
        ctx.clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 1 }), {
          abortSignal: ctx.signal,
        }),
    );
    return false;
  } catch (error) {
    if (error instanceof AwsCallError && error.awsErrorName === "ResourceNotFoundException") return true;
    if (error instanceof AwsCallError && error.kind !== "throttling" && error.kind !== "transient") {
      ctx.policy.logger.warn("preflight: could not check the log group; launching anyway", {
        group,
        error: error.awsErrorName ?? error.message,
      });
      return false;
    }
    throw error;
  }
}
