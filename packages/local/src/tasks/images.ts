import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
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

/** Whether `dir` is a checkout one edits, not an installed copy (pnpm links resolve out of node_modules). */
const inCheckout = (dir: string): boolean => !realpathSync(dir).split(sep).includes("node_modules");

/** Whether `--import tsx`, run with `dir` as its cwd, would find tsx. */
function tsxFrom(dir: string): boolean {
  try {
    createRequire(join(dir, "package.json")).resolve("tsx/package.json");
    return true;
  } catch {
    return false;
  }
}

/**
 * Default image mapping: every image runs the worker bin. In a checkout with tsx at hand that is
 * always `src/bin.ts` (with the source condition, so its workspace dependencies run from source
 * too): no age test can vouch for a build there. `dist/bin.js` loads the dependencies' own builds,
 * whose sources the worker's mtimes never see, and mtimes lie after `cp -p`, `rsync -a`, `tar` or
 * a deleted file. An installed package is never edited, so there its build is used.
 */
export function defaultWorkerMapping(dir = findWorkerPackage()): ImageMapping | undefined {
  if (!dir) return undefined;
  const source = join(dir, "src", "bin.ts");
  const built = join(dir, "dist", "bin.js");
  const fromSource: ImageMapping = {
    match: "*",
    command: ["node", "--conditions=ecs-fanout-source", "--import", "tsx", source],
    cwd: dir,
  };
  if (existsSync(source) && inCheckout(dir) && tsxFrom(dir)) return fromSource;
  return existsSync(built) ? { match: "*", command: ["node", built], cwd: dir } : fromSource;
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
