import type { LogStore } from "../logs.js";
import type { ContainerRecord, TaskRecord } from "../state.js";
import { portFree } from "./addresses.js";

/** Why a task cannot start, as ECS words it in `stoppedReason`. */
export class StartFailure extends Error {}

/** Host ports of every mapping: the container port (awsvpc, host), or static/dynamic host ports (bridge). */
export async function allocatePorts(task: TaskRecord): Promise<void> {
  const instance = task.instance;
  for (const c of task.containers) {
    c.ports = [];
    for (const m of c.def.portMappings ?? []) {
      const containerPort = m.containerPort ?? 0;
      const protocol = m.protocol === "udp" ? "udp" : "tcp";
      if (task.networkMode !== "bridge" || !instance) {
        c.ports.push({ containerPort, hostPort: m.hostPort ?? containerPort, protocol });
        continue;
      }
      if (m.hostPort) {
        c.ports.push({ containerPort, hostPort: m.hostPort, protocol });
        continue;
      }
      // Dynamic host port from the ephemeral range, free on the instance's address.
      let port = 32768;
      while (port < 61000 && (instance.usedPorts.has(port) || !(await portFree(instance.privateIp, port))))
        port++;
      if (port >= 61000) throw new StartFailure("RESOURCE:PORTS");
      instance.usedPorts.add(port);
      c.ports.push({ containerPort, hostPort: port, protocol });
    }
  }
}

/** The awslogs group and stream of a container; the group must exist unless awslogs-create-group is set. */
export function prepareLogs(task: TaskRecord, c: ContainerRecord, logs: LogStore): void {
  const config = c.def.logConfiguration;
  if (config?.logDriver !== "awslogs") return;
  const options = config.options ?? {};
  const group = options["awslogs-group"];
  if (!group)
    throw new StartFailure(
      "ResourceInitializationError: failed to validate logger args: awslogs-group is required",
    );
  if (!logs.hasGroup(group)) {
    if (options["awslogs-create-group"] === "true") logs.createGroup(group);
    else {
      throw new StartFailure(
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1",
      );
    }
  }
  const prefix = options["awslogs-stream-prefix"];
  c.log = { group, stream: prefix ? `${prefix}/${c.name}/${task.id}` : task.id };
  logs.createStream(group, c.log.stream);
}
