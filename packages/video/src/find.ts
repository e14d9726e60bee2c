import { constants } from "node:fs";
import { access, chmod, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { FfmpegNotFoundError, type FfmpegSearchAttempt } from "./errors.js";
import { checkOptions } from "./schema.js";

/** Where a binary was found: FFMPEG_PATH/FFPROBE_PATH, PATH, or the optional npm packages. */
export type FfmpegSource = "env" | "path" | "npm";

/** The ffmpeg and ffprobe executables {@link findFfmpeg} settled on. */
export interface FfmpegLocation {
  /** Absolute path of ffmpeg. */
  ffmpeg: string;
  /** Absolute path of ffprobe. */
  ffprobe: string;
  /** Where ffmpeg was found. */
  source: FfmpegSource;
  /** Where ffprobe was found (usually the same as `source`). */
  ffprobeSource: FfmpegSource;
}

/** Options of {@link findFfmpeg}. */
export const findFfmpegOptionsSchema = z.strictObject({
  /**
   * Environment to read FFMPEG_PATH, FFPROBE_PATH and PATH from.
   * @default process.env
   */
  env: z.record(z.string(), z.string().optional()).optional(),
  /**
   * Look for the optional npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe.
   * @default true
   */
  npm: z.boolean().default(true),
  /**
   * Directories the npm packages are resolved from, in order.
   * @default [this package's directory, process.cwd()]
   */
  npmResolveFrom: z.array(z.string().min(1)).optional(),
});
/** Options of {@link findFfmpeg}. */
export type FindFfmpegOptions = z.input<typeof findFfmpegOptionsSchema>;

interface BinarySpec {
  name: "ffmpeg" | "ffprobe";
  envVar: "FFMPEG_PATH" | "FFPROBE_PATH";
  npmPackage: "@ffmpeg-installer/ffmpeg" | "@ffprobe-installer/ffprobe";
}

const FFMPEG: BinarySpec = { name: "ffmpeg", envVar: "FFMPEG_PATH", npmPackage: "@ffmpeg-installer/ffmpeg" };
const FFPROBE: BinarySpec = {
  name: "ffprobe",
  envVar: "FFPROBE_PATH",
  npmPackage: "@ffprobe-installer/ffprobe",
};

const cache = new Map<string, Promise<FfmpegLocation>>();

/**
 * Finds ffmpeg and ffprobe: FFMPEG_PATH / FFPROBE_PATH, then PATH, then the optional npm packages.
 * A set env var that does not point at an executable is an error, not a reason to fall back:
 * the caller asked for that binary explicitly. Results for the default options are cached.
 *
 * @throws {@link FfmpegNotFoundError} naming every place that was tried.
 */
export function findFfmpeg(options: FindFfmpegOptions = {}): Promise<FfmpegLocation> {
  let opts: ParsedFindOptions;
  try {
    opts = checkOptions("findFfmpeg", findFfmpegOptionsSchema, options);
  } catch (error) {
    return Promise.reject(error);
  }
  if (options.env !== undefined || options.npm !== undefined || options.npmResolveFrom !== undefined) {
    return locate(opts);
  }
  const env = process.env;
  const key = [env.FFMPEG_PATH, env.FFPROBE_PATH, env.PATH].join("\0");
  let found = cache.get(key);
  if (found === undefined) {
    found = locate(opts);
    cache.set(key, found);
    // A failed lookup is not remembered: the user may install ffmpeg and retry.
    found.catch(() => cache.delete(key));
  }
  return found;
}

type ParsedFindOptions = z.output<typeof findFfmpegOptionsSchema>;

async function locate(options: ParsedFindOptions): Promise<FfmpegLocation> {
  const [ffmpegResult, ffprobeResult] = await Promise.allSettled([
    locateOne(FFMPEG, options),
    locateOne(FFPROBE, options),
  ]);
  // Report ffmpeg first when both are missing, whichever lookup finished first.
  if (ffmpegResult.status === "rejected") throw ffmpegResult.reason;
  if (ffprobeResult.status === "rejected") throw ffprobeResult.reason;
  const ffmpeg = ffmpegResult.value;
  const ffprobe = ffprobeResult.value;
  return { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, source: ffmpeg.source, ffprobeSource: ffprobe.source };
}

async function locateOne(spec: BinarySpec, options: ParsedFindOptions) {
  const env = options.env ?? process.env;
  const attempts: FfmpegSearchAttempt[] = [];

  const fromEnv = env[spec.envVar];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (await isExecutableFile(fromEnv)) return { path: path.resolve(fromEnv), source: "env" as const };
    throw new FfmpegNotFoundError(spec.name, [
      { source: "env", detail: `${spec.envVar}=${fromEnv} is not an executable file` },
    ]);
  }
  attempts.push({ source: "env", detail: `${spec.envVar} is not set` });

  const onPath = await searchPath(spec.name, env);
  if (onPath !== undefined) return { path: onPath, source: "path" as const };
  attempts.push({ source: "path", detail: `no executable ${spec.name} in PATH` });

  if (!options.npm) {
    attempts.push({ source: "npm", detail: `${spec.npmPackage} lookup disabled` });
    throw new FfmpegNotFoundError(spec.name, attempts);
  }
  const fromNpm = await fromNpmPackage(spec, options.npmResolveFrom ?? defaultResolveFrom());
  if (fromNpm.path !== undefined) return { path: fromNpm.path, source: "npm" as const };
  attempts.push({ source: "npm", detail: fromNpm.detail });
  throw new FfmpegNotFoundError(spec.name, attempts);
}

async function searchPath(
  name: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const dirs = (env.PATH ?? env.Path ?? "").split(path.delimiter).filter((d) => d !== "");
  const names = process.platform === "win32" ? [`${name}.exe`, name] : [name];
  for (const dir of dirs) {
    for (const candidate of names) {
      const full = path.resolve(dir, candidate);
      if (await isExecutableFile(full)) return full;
    }
  }
  return undefined;
}

async function fromNpmPackage(
  spec: BinarySpec,
  resolveFrom: readonly string[],
): Promise<{ path?: string; detail: string }> {
  const problems: string[] = [];
  for (const dir of resolveFrom) {
    // createRequire keeps the optional peer out of the bundle and loads it only when needed.
    const require = createRequire(pathToFileURL(path.join(dir, "noop.js")));
    let exported: unknown;
    try {
      exported = require(spec.npmPackage);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      problems.push(code === "MODULE_NOT_FOUND" ? `not installed (from ${dir})` : `failed to load: ${error}`);
      continue;
    }
    const binPath = (exported as { path?: unknown } | null)?.path;
    if (typeof binPath === "string" && (await isExecutableFile(binPath)))
      return { path: binPath, detail: "" };
    if (typeof binPath === "string" && (await makeExecutable(binPath))) return { path: binPath, detail: "" };
    problems.push(`installed but ${String(binPath)} is not executable (chmod +x it)`);
  }
  return { detail: `${spec.npmPackage}: ${[...new Set(problems)].join("; ") || "not installed"}` };
}

function defaultResolveFrom(): string[] {
  const here = moduleDir();
  return here === undefined ? [process.cwd()] : [here, process.cwd()];
}

function moduleDir(): string | undefined {
  // ESM build and sources have import.meta.url; tsup shims it in the CJS build.
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * The installer packages ship their binary inside a tarball and rely on its file mode; package
 * managers that skip lifecycle scripts (pnpm by default) can leave it at 0644. Adding the exec bit
 * is what the user would do by hand.
 */
async function makeExecutable(file: string): Promise<boolean> {
  if (process.platform === "win32") return false;
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await chmod(file, info.mode | 0o111);
    return await isExecutableFile(file);
  } catch {
    return false;
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, process.platform === "win32" ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
