import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { StartFailure } from "./start.js";

const run = promisify(execFile);

/** What a task needs from an image in buildah's local storage: its root filesystem and its config. */
export interface ContainerImage {
  name: string;
  id: string;
  /** A read-only copy of the image's root filesystem, shared by every task of the image. */
  rootfs: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  user: string;
  workingDir: string;
  stopSignal: string;
}

interface OciImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  StopSignal?: string;
}

/** Where exported root filesystems are kept across runs (one per image id). */
export const containerCacheDir = (): string =>
  process.env["ECS_FANOUT_CACHE"] ?? join(homedir(), ".cache", "ecs-fanout");

const envMap = (list: string[] | undefined): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const entry of list ?? []) {
    const i = entry.indexOf("=");
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
};

/** Copy the image's files out of buildah's storage once: a mount of a throwaway working container. */
async function exportRootfs(image: string, dest: string): Promise<void> {
  const partial = `${dest}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const { stdout } = await run("buildah", ["from", "--pull=never", "--quiet", image]);
  const ctr = stdout.trim();
  try {
    const mount = (await run("buildah", ["mount", ctr])).stdout.trim();
    mkdirSync(partial, { recursive: true });
    await run("cp", ["-a", `${mount}/.`, partial], { maxBuffer: 1 << 20 });
    try {
      renameSync(partial, dest);
    } catch {
      // Another endpoint exported the same image meanwhile: keep theirs.
      rmSync(partial, { recursive: true, force: true });
    }
  } finally {
    await run("buildah", ["rm", ctr]).catch(() => undefined);
  }
}

/**
 * Images by name, each looked up in buildah's local storage (never pulled: an image that is not
 * there fails the task as ECS does when a pull fails) and exported once per image id.
 */
export class ContainerImages {
  private readonly pending = new Map<string, Promise<ContainerImage>>();

  constructor(private readonly cacheDir = containerCacheDir()) {}

  get(name: string): Promise<ContainerImage> {
    let image = this.pending.get(name);
    if (!image) {
      image = this.load(name);
      this.pending.set(name, image);
      // A failure is not cached: the image may be built meanwhile.
      image.catch(() => this.pending.delete(name));
    }
    return image;
  }

  private async load(name: string): Promise<ContainerImage> {
    let inspected: { FromImageID?: string; OCIv1?: { config?: OciImageConfig } };
    try {
      const { stdout } = await run("buildah", ["inspect", "--type", "image", name], {
        maxBuffer: 16 << 20,
      });
      inspected = JSON.parse(stdout) as typeof inspected;
    } catch {
      throw new StartFailure(
        `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${name}: not found (not in buildah's local storage; build it with scripts/build-image.sh)`,
      );
    }
    const id = inspected.FromImageID ?? "";
    if (!/^[0-9a-f]{12,}$/.test(id))
      throw new StartFailure(`CannotPullContainerError: ${name} has no image id`);
    const rootfs = join(this.cacheDir, "rootfs", id);
    if (!existsSync(rootfs)) {
      mkdirSync(join(this.cacheDir, "rootfs"), { recursive: true });
      await exportRootfs(name, rootfs);
    }
    const config = inspected.OCIv1?.config ?? {};
    return {
      name,
      id,
      rootfs,
      entrypoint: config.Entrypoint ?? [],
      cmd: config.Cmd ?? [],
      env: envMap(config.Env),
      user: config.User ?? "",
      workingDir: config.WorkingDir || "/",
      stopSignal: config.StopSignal || "SIGTERM",
    };
  }
}

/** `user`, `user:group`, `uid` or `uid:gid` against the image's /etc/passwd and /etc/group. */
export function resolveUser(rootfs: string, user: string): { uid: number; gid: number } {
  const [name = "", group] = user.split(":");
  const table = (file: string): string[][] => {
    try {
      return readFileSync(join(rootfs, "etc", file), "utf8")
        .split("\n")
        .map((l) => l.split(":"));
    } catch {
      return [];
    }
  };
  const lookup = (file: string, key: string, column: number): number | undefined => {
    if (/^\d+$/.test(key)) return Number(key);
    const row = table(file).find((r) => r[0] === key);
    return row?.[column] !== undefined ? Number(row[column]) : undefined;
  };
  if (name === "") return { uid: 0, gid: 0 };
  const uid = lookup("passwd", name, 2);
  if (uid === undefined) throw new StartFailure(`CannotStartContainerError: unable to find user ${name}`);
  const passwdGid = table("passwd").find((r) => r[0] === name || r[2] === String(uid))?.[3];
  const gid = group ? lookup("group", group, 2) : passwdGid !== undefined ? Number(passwdGid) : uid;
  if (gid === undefined) throw new StartFailure(`CannotStartContainerError: unable to find group ${group}`);
  return { uid, gid };
}
