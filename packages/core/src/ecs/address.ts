import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { DescribeContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { awsCall } from "../aws/call.js";
import type { AwsContext } from "../aws/context.js";
import { chunk } from "./requests.js";
import type { TaskSnapshot } from "./snapshot.js";

/** Where a worker listens. */
export interface TaskAddress {
  readonly host: string;
  readonly port: number;
  /** EC2 launch: the instance type (for pricing). */
  readonly instanceType?: string | undefined;
}

/** Per task: its address, or why none could be found. */
export type AddressOutcome = { readonly address: TaskAddress } | { readonly problem: string };

/**
 * Resolves the addresses of RUNNING tasks, batched: awsvpc tasks → one DescribeNetworkInterfaces
 * for all their ENIs, by filter so a vanished ENI cannot fail the batch (public or private IP); bridge/host tasks → DescribeContainerInstances →
 * DescribeInstances (instance IP) + the container's host port. EC2 tasks also learn their
 * instance type, which prices GPU tasks.
 */
export async function resolveAddresses(
  ctx: AwsContext,
  tasks: readonly TaskSnapshot[],
  options: { endpoint: "public" | "private"; containerPort: number },
): Promise<Map<string, AddressOutcome>> {
  const out = new Map<string, AddressOutcome>();
  const eniTasks = tasks.filter((t) => t.eniId !== undefined);
  const hostTasks = tasks.filter((t) => t.eniId === undefined);
  const instanceTypes = await instancesOf(
    ctx,
    tasks.filter((t) => t.containerInstanceArn !== undefined),
  );

  if (eniTasks.length > 0) {
    const byEni = new Map<string, { privateIp?: string; publicIp?: string }>();
    for (const ids of chunk(
      eniTasks.map((t) => t.eniId as string),
      200,
    )) {
      // The network-interface-id filter, not NetworkInterfaceIds: with IDs, one ENI gone (its task
      // stopped meanwhile) fails the whole batch with InvalidNetworkInterfaceID.NotFound; a filter
      // just leaves it out, and that task gets "no IP" like any other.
      const response = await awsCall(
        ctx.policy,
        { operation: "DescribeNetworkInterfaces", bucket: ctx.buckets.other, signal: ctx.signal },
        () =>
          ctx.clients.ec2.send(
            new DescribeNetworkInterfacesCommand({
              Filters: [{ Name: "network-interface-id", Values: ids }],
            }),
            { abortSignal: ctx.signal },
          ),
      );
      for (const ni of response.NetworkInterfaces ?? []) {
        if (ni.NetworkInterfaceId === undefined) continue;
        byEni.set(ni.NetworkInterfaceId, {
          privateIp: ni.PrivateIpAddress,
          publicIp: ni.Association?.PublicIp,
        });
      }
    }
    for (const t of eniTasks) {
      const ni = byEni.get(t.eniId as string);
      const host = options.endpoint === "public" ? ni?.publicIp : (ni?.privateIp ?? t.privateIp);
      const instanceType =
        t.containerInstanceArn === undefined
          ? undefined
          : instanceTypes.get(t.containerInstanceArn)?.instanceType;
      out.set(
        t.taskArn,
        host === undefined
          ? { problem: `no ${options.endpoint} IP on network interface ${t.eniId}` }
          : { address: { host, port: options.containerPort, instanceType } },
      );
    }
  }

  for (const t of hostTasks) {
    const instance =
      t.containerInstanceArn === undefined ? undefined : instanceTypes.get(t.containerInstanceArn);
    const host = options.endpoint === "public" ? instance?.publicIp : instance?.privateIp;
    // host mode publishes the container port itself; bridge maps it to a (dynamic) host port.
    const port =
      t.hostPorts.get(options.containerPort) ?? (t.hostPorts.size === 0 ? options.containerPort : undefined);
    if (host === undefined)
      out.set(t.taskArn, {
        problem: `no ${options.endpoint} IP for container instance ${t.containerInstanceArn ?? "(none)"}`,
      });
    else if (port === undefined)
      out.set(t.taskArn, { problem: `container port ${options.containerPort} has no host port binding` });
    else out.set(t.taskArn, { address: { host, port, instanceType: instance?.instanceType } });
  }
  return out;
}

interface InstanceFacts {
  privateIp?: string | undefined;
  publicIp?: string | undefined;
  instanceType?: string | undefined;
}

async function instancesOf(
  ctx: AwsContext,
  tasks: readonly TaskSnapshot[],
): Promise<Map<string, InstanceFacts>> {
  const out = new Map<string, InstanceFacts>();
  const arns = [...new Set(tasks.map((t) => t.containerInstanceArn as string))];
  if (arns.length === 0) return out;
  const ec2IdByArn = new Map<string, string>();
  for (const part of chunk(arns, 100)) {
    const response = await awsCall(
      ctx.policy,
      {
        operation: "DescribeContainerInstances",
        bucket: ctx.buckets.read,
        cluster: ctx.cluster,
        signal: ctx.signal,
      },
      () =>
        ctx.clients.ecs.send(
          new DescribeContainerInstancesCommand({ cluster: ctx.cluster, containerInstances: part }),
          { abortSignal: ctx.signal },
        ),
    );
    for (const ci of response.containerInstances ?? []) {
      if (ci.containerInstanceArn !== undefined && ci.ec2InstanceId !== undefined)
        ec2IdByArn.set(ci.containerInstanceArn, ci.ec2InstanceId);
    }
  }
  const ids = [...new Set(ec2IdByArn.values())];
  const byId = new Map<string, InstanceFacts>();
  for (const part of chunk(ids, 100)) {
    const response = await awsCall(
      ctx.policy,
      { operation: "DescribeInstances", bucket: ctx.buckets.other, signal: ctx.signal },
      () =>
        ctx.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: part }), {
          abortSignal: ctx.signal,
        }),
    );
    for (const r of response.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (i.InstanceId !== undefined)
          byId.set(i.InstanceId, {
            privateIp: i.PrivateIpAddress,
            publicIp: i.PublicIpAddress,
            instanceType: i.InstanceType,
          });
      }
    }
  }
  for (const [arn, id] of ec2IdByArn) {
    const facts = byId.get(id);
    if (facts !== undefined) out.set(arn, facts);
  }
  return out;
}
