import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageMapping } from "../config.js";

export interface ResolvedCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | undefined;
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

export const imageMatches = (pattern: string, image: string): boolean =>
  pattern === image || (pattern.includes("*") && globToRegExp(pattern).test(image));

/** `"node"` as the executable means the Node binary running the endpoint (tests, CI without PATH). */
const executable = (cmd: string): string => (cmd === "node" ? process.execPath : cmd);

const here = (): string => {
  // CJS build: __dirname; ESM: import.meta.url.
  if (typeof __dirname === "string") return __dirname;
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return process.cwd();
  }
};

/** The @ecs-fanout/worker package folder: installed beside us, or the monorepo sibling. */
export function findWorkerPackage(start = here()): string | undefined {
  let dir = resolve(start);
  for (let i = 0; i < 6; i++) {
    for (const candidate of [
      join(dir, "node_modules", "@ecs-fanout", "worker"),
      join(dir, "worker"),
      join(dir, "packages", "worker"),
    ]) {
      const pkg = join(candidate, "package.json");
      if (
        existsSync(pkg) &&
        (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "@ecs-fanout/worker"
      ) {
        return candidate;
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}

const newestIn = (dir: string): number =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((newest, e) => Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs), 0);

/**
 * Default image mapping: every image runs the worker bin — built when dist/bin.js is present and
 * not older than src/ (a stale build would hide fixes), else from source with tsx.
 */
export function defaultWorkerMapping(): ImageMapping | undefined {
  const dir = findWorkerPackage();
  if (!dir) return undefined;
  const built = join(dir, "dist", "bin.js");
  const src = join(dir, "src");
  const fresh = existsSync(built) && (!existsSync(src) || statSync(built).mtimeMs >= newestIn(src));
  if (fresh) return { match: "*", command: ["node", built], cwd: dir };
  return {
    match: "*",
    command: ["node", "--conditions=ecs-fanout-source", "--import", "tsx", join(dir, "src", "bin.ts")],
    cwd: dir,
  };
}

/** The command for a container: the mapping is the entrypoint; the container's `command` its arguments. */
export function resolveImage(
  images: ImageMapping[],
  image: string,
  containerCommand: string[] | undefined,
): ResolvedCommand | undefined {
  const mapping = images.find((m) => imageMatches(m.match, image));
  if (!mapping) return undefined;
  const [cmd = "", ...args] = mapping.command;
  return {
    command: executable(cmd),
    args: [...args, ...(containerCommand ?? [])],
    env: { ...mapping.env },
    cwd: mapping.cwd,
  };
}

/** The part of the endpoint's environment a task inherits (a container does not see the host's). */
const INHERITED = [
  "PATH",
  "HOME",
  "TMPDIR",
  "TMP",
  "TEMP",
  "LANG",
  "LC_ALL",
  "TZ",
  "SYSTEMROOT",
  "FFMPEG_PATH",
  "FFPROBE_PATH",
];

export function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
