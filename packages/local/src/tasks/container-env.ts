import type { ContainerRecord, TaskRecord } from "../state.js";
import { inheritedEnv } from "./images.js";

const EXECUTION_ENV = {
  FARGATE: "AWS_ECS_FARGATE",
  EC2: "AWS_ECS_EC2",
  MANAGED_INSTANCES: "AWS_ECS_MANAGED_INSTANCES",
} as const;

/** The metadata path of a container: `/v4/<taskId>` for the first, `/v4/<taskId>.<name>` for others. */
export const metadataPath = (task: TaskRecord, c: ContainerRecord): string =>
  task.containers[0] === c ? `/v4/${task.id}` : `/v4/${task.id}.${c.name}`;

/**
 * A container's environment: its definition's and the run's overrides, over its image's `base`,
 * plus what the ECS agent sets (metadata URI, region, execution environment). A container sees
 * only its task's environment; a process (`base` given) also the host's basics.
 */
export function containerEnv(
  task: TaskRecord,
  c: ContainerRecord,
  base: Record<string, string> | undefined,
  host: { metadataBase: string; region: string },
): Record<string, string> {
  const override = task.overrides.containerOverrides?.find((o) => o.name === c.name);
  const env: Record<string, string> = base ? { ...inheritedEnv(), ...base } : {};
  for (const { name, value } of [...(c.def.environment ?? []), ...(override?.environment ?? [])]) {
    if (name) env[name] = value ?? "";
  }
  const address = task.eni?.privateIp ?? task.instance?.privateIp ?? "127.0.0.1";
  const port = c.ports[0]?.hostPort;
  Object.assign(env, {
    HOST: address,
    ...(port !== undefined ? { PORT: String(port) } : {}),
    ECS_CONTAINER_METADATA_URI_V4: `${host.metadataBase}${metadataPath(task, c)}`,
    AWS_REGION: host.region,
    AWS_DEFAULT_REGION: host.region,
    AWS_EXECUTION_ENV: EXECUTION_ENV[task.launchType],
  });
  return env;
}
