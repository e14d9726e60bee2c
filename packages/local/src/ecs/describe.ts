import type {
  ContainerInstance,
  DescribeContainerInstancesCommandOutput,
  DescribeTasksCommandOutput,
  Failure,
  Task,
} from "@aws-sdk/client-ecs";
import type { Engine } from "../engine.js";
import { invalidParameter } from "../errors.js";
import { epochSeconds, type Wire, type WireOutput } from "../protocols/wire.js";
import { type InstanceRecord, taskIdOf } from "../state.js";
import { optString, optStringList } from "../validate.js";
import { resolveCluster } from "./clusters.js";
import { taskView } from "./task-view.js";

export function describeTasks(
  input: Record<string, unknown>,
  engine: Engine,
): WireOutput<DescribeTasksCommandOutput> {
  const cluster = resolveCluster(engine.store, optString(input, "cluster"));
  const refs = optStringList(input, "tasks") ?? [];
  if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
  if (refs.length > 100) throw invalidParameter("taskIds can have at most 100 items.");
  const withTags = (optStringList(input, "include") ?? []).includes("TAGS");
  const missingMs = engine.faults.missingMs;
  const tasks: Wire<Task>[] = [];
  const failures: Wire<Failure>[] = [];
  for (const ref of refs) {
    const task = engine.store.tasks.get(taskIdOf(ref));
    // Eventual consistency: a task launched moments ago may not be visible yet (fault `missingMs`).
    const hidden = task !== undefined && Date.now() - task.createdAt < missingMs;
    if (!task || task.cluster !== cluster || hidden) {
      failures.push({
        arn: ref.startsWith("arn:") ? ref : engine.store.arn(`task/${cluster.name}/${ref}`),
        reason: "MISSING",
      });
    } else tasks.push(taskView(task, withTags));
  }
  return { tasks, failures };
}

function resources(i: InstanceRecord, remaining: boolean) {
  const used = (n: number) => (remaining ? n : 0);
  return [
    { name: "CPU", type: "INTEGER", integerValue: i.cpu - used(i.usedCpu) },
    { name: "MEMORY", type: "INTEGER", integerValue: i.memory - used(i.usedMemory) },
    {
      name: "PORTS",
      type: "STRINGSET",
      stringSetValue: remaining ? [...i.usedPorts].map(String) : ["22", "2375", "2376", "51678", "51679"],
    },
    {
      name: "GPU",
      type: "STRINGSET",
      stringSetValue: remaining ? i.gpuIds.filter((g) => !i.usedGpus.has(g)) : i.gpuIds,
    },
  ];
}

function instanceView(engine: Engine, i: InstanceRecord): Wire<ContainerInstance> {
  const tasks = [...i.tasks].map((id) => engine.store.tasks.get(id)).filter((t) => t !== undefined);
  return {
    containerInstanceArn: i.arn,
    ec2InstanceId: i.ec2InstanceId,
    capacityProviderName: i.provider,
    status: i.status,
    agentConnected: true,
    runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus !== "RUNNING").length,
    registeredAt: i.registeredAt === undefined ? undefined : epochSeconds(i.registeredAt),
    registeredResources: resources(i, false),
    remainingResources: resources(i, true),
    attributes: [
      { name: "ecs.instance-type", value: i.instanceType },
      { name: "ecs.availability-zone", value: `${engine.config.region}a` },
      { name: "ecs.os-type", value: "linux" },
    ],
    versionInfo: { agentVersion: "1.89.0", dockerVersion: "DockerVersion: 25.0.8" },
    version: 1,
  };
}

export function describeContainerInstances(
  input: Record<string, unknown>,
  engine: Engine,
): WireOutput<DescribeContainerInstancesCommandOutput> {
  const cluster = resolveCluster(engine.store, optString(input, "cluster"));
  const refs = optStringList(input, "containerInstances") ?? [];
  if (refs.length === 0) throw invalidParameter("containerInstances cannot be empty.");
  if (refs.length > 100) throw invalidParameter("containerInstances can have at most 100 items.");
  const containerInstances: Wire<ContainerInstance>[] = [];
  const failures: Wire<Failure>[] = [];
  for (const ref of refs) {
    const id = ref.split("/").at(-1) ?? ref;
    const i = engine.store.instances.get(id);
    if (i && i.cluster === cluster && i.registeredAt !== undefined)
      containerInstances.push(instanceView(engine, i));
    else failures.push({ arn: ref, reason: "MISSING" });
  }
  return { containerInstances, failures };
}
