import type { AwsContext } from "../aws/context.js";
import { admitsPortFromAddresses, describeDefaultNetwork } from "../ecs/default-network.js";
import type { TaskDefinitionInfo } from "../ecs/task-definition-info.js";
import type { Launch } from "../options/launch.js";
import type { NetworkRequest } from "../options/network.js";
import type { RunOptions } from "../options/run.js";
import type { ResolvedNetwork, RunNetwork } from "../options.js";

/** Whether RunTask needs an awsvpc network configuration: always on Fargate, else by the task definition. */
export function needsAwsvpc(
  launch: Pick<Launch, "type">,
  td: Pick<TaskDefinitionInfo, "networkMode">,
): boolean {
  return launch.type === "FARGATE" || launch.type === "FARGATE_SPOT" || td.networkMode === "awsvpc";
}

/** The awsvpc part RunTask is built from, or undefined (bridge/host mode). */
export function awsvpcOf(network: RunNetwork): ResolvedNetwork | undefined {
  if (network.subnets === undefined) return undefined;
  return {
    subnets: network.subnets,
    securityGroups: network.securityGroups,
    assignPublicIp: network.assignPublicIp,
    endpoint: network.endpoint,
  };
}

/** Whether the run's tasks hold a public IPv4 address (billed per hour): only with awsvpc and `assignPublicIp`. */
export const hasPublicIp = (network: RunNetwork): boolean => awsvpcOf(network)?.assignPublicIp === true;

/** The network exactly as given (no AWS call): subnets only if given, no public IP unless asked. */
export function givenNetwork(request: NetworkRequest | undefined): RunNetwork {
  const assignPublicIp = request?.assignPublicIp === true;
  return {
    subnets: request?.subnets,
    securityGroups: request?.securityGroups,
    assignPublicIp,
    endpoint: request?.endpoint ?? (assignPublicIp ? "public" : "private"),
    defaultVpc: undefined,
  };
}

/**
 * The run's networking. When the launch needs awsvpc and no subnets were given, the account's
 * default VPC supplies them (once per run, before any RunTask): its default subnets, its default
 * security group unless groups were given, and a public IP unless `assignPublicIp` says otherwise
 * (default subnets are public; without a public IP a task there cannot pull its image).
 *
 * @throws {@link NoDefaultVpcError} when the account has no default VPC (or no default subnets).
 */
export async function resolveRunNetwork(
  ctx: AwsContext,
  opts: Pick<RunOptions, "network" | "launch" | "logger">,
  td: Pick<TaskDefinitionInfo, "networkMode" | "containerPort">,
  region: string,
): Promise<RunNetwork> {
  const request = opts.network;
  const awsvpc = needsAwsvpc(opts.launch, td);
  if (!awsvpc || request?.subnets !== undefined) return givenNetwork(request);
  const found = await describeDefaultNetwork(ctx, region);
  const assignPublicIp = request?.assignPublicIp ?? true;
  const defaultGroup = request?.securityGroups === undefined ? found.securityGroup : undefined;
  const network: RunNetwork = {
    subnets: found.subnets,
    securityGroups: request?.securityGroups ?? (defaultGroup === undefined ? undefined : [defaultGroup.id]),
    assignPublicIp,
    endpoint: request?.endpoint ?? (assignPublicIp ? "public" : "private"),
    defaultVpc: found.vpcId,
  };
  opts.logger.info("no subnets given: using the default VPC", {
    vpcId: found.vpcId,
    subnets: network.subnets,
    securityGroups: network.securityGroups,
    assignPublicIp,
  });
  if (defaultGroup !== undefined && !admitsPortFromAddresses(defaultGroup.ingress, td.containerPort)) {
    opts.logger.warn(
      "the default security group admits only its own members: workers are unreachable from outside it unless network.securityGroups allows the worker port",
      { securityGroup: defaultGroup.id, port: td.containerPort },
    );
  }
  return network;
}
