import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerRecord, TaskRecord } from "../state.js";
import { bundleConfig } from "./container-bundle.js";
import { type ContainerImage, resolveUser } from "./container-image.js";
import { CONTAINER_SUPERVISOR_SOURCE } from "./container-supervisor.js";
import { type ProcessExit, startProcess, type TaskProcess } from "./process.js";

export { type ContainerImage, ContainerImages } from "./container-image.js";

/** Where runc bundles live while their containers run (removed by the supervisor on exit). */
const bundlesDir = (): string => join(tmpdir(), "ecs-fanout-runc");

/**
 * Why the container runtime cannot work on this machine, or undefined when it can: it needs Linux,
 * root (overlay mounts, cgroups), runc, buildah (the image store) and a cgroup v1 memory controller.
 */
export function containerRuntimeProblem(): string | undefined {
  if (process.platform !== "linux") return `the container runtime needs Linux, got ${process.platform}`;
  if (process.getuid?.() !== 0) return "the container runtime needs root (overlay mounts and cgroups)";
  for (const tool of ["runc", "buildah"]) {
    try {
      execFileSync(tool, ["--version"], { stdio: "ignore", timeout: 10_000 });
    } catch {
      return `the container runtime needs ${tool} on PATH (Debian: apt-get install -y ${tool})`;
    }
  }
  return undefined;
}

export interface ContainerStart {
  task: TaskRecord;
  container: ContainerRecord;
  image: ContainerImage;
  /** The container's `command` (override first), replacing the image's CMD. */
  command: string[] | undefined;
  /** The task's environment for this container, laid over the image's. */
  env: Record<string, string>;
  onLine(stream: "stdout" | "stderr", line: string): void;
  onExit(result: ProcessExit): void;
}

/** runc ids allow letters, digits, `_`, `+`, `-`, `.`. */
export const containerId = (task: TaskRecord, c: ContainerRecord): string =>
  `ecs-fanout-${task.id}-${c.name}`.replace(/[^\w+.-]/g, "_");

/** ECS's rules: `entryPoint` replaces ENTRYPOINT (and with it CMD), `command` replaces CMD. */
export function containerArgs(
  image: ContainerImage,
  entryPoint: string[] | undefined,
  command: string[] | undefined,
): string[] {
  if (entryPoint && entryPoint.length > 0) return [...entryPoint, ...(command ?? [])];
  return [...image.entrypoint, ...(command ?? image.cmd)];
}

/** Run one container of a task with runc, under the container supervisor. */
export function startContainer(s: ContainerStart): TaskProcess {
  const def = s.container.def;
  const id = containerId(s.task, s.container);
  const bundle = join(bundlesDir(), id);
  const { uid, gid } = resolveUser(s.image.rootfs, def.user ?? s.image.user);
  const args = containerArgs(s.image, def.entryPoint ?? undefined, s.command);
  if (args.length === 0) throw new Error(`CannotStartContainerError: ${s.image.name} has no command`);
  const memoryMiB = def.memory ?? (s.task.memory > 0 ? s.task.memory : undefined);
  const cpuUnits = def.cpu !== undefined && def.cpu > 0 ? def.cpu : s.task.cpu > 0 ? s.task.cpu : undefined;
  const config = bundleConfig({
    rootfs: join(bundle, "rootfs"),
    args,
    env: { ...s.image.env, ...s.env },
    cwd: def.workingDirectory ?? s.image.workingDir,
    uid,
    gid,
    hostname: s.task.id.slice(0, 12),
    memoryMiB,
    cpuUnits,
    ulimits: (def.ulimits ?? []).map((u) => ({
      name: String(u.name ?? ""),
      softLimit: u.softLimit ?? 0,
      hardLimit: u.hardLimit ?? 0,
    })),
    cgroupsPath: `/ecs-fanout/${id}`,
  });
  return startProcess({
    command: "runc",
    args: [],
    env: {},
    cwd: undefined,
    onLine: s.onLine,
    onExit: s.onExit,
    supervisor: {
      source: CONTAINER_SUPERVISOR_SOURCE,
      spec: {
        runc: "runc",
        id,
        bundle,
        lower: s.image.rootfs,
        config,
        stopSignal: s.image.stopSignal,
        orphanGraceMs: 2000,
      },
    },
  });
}
