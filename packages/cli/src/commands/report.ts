import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ManifestError, readManifest, renderReport } from "ecs-fanout";
import { ExitCode, UsageError } from "../errors.js";
import { type CliIo, println } from "../io.js";

/** Reads a manifest, renders it, writes the HTML; returns where it went. */
export async function writeReport(manifestPath: string, htmlPath: string): Promise<string> {
  const manifest = await readManifest(manifestPath);
  await writeFile(htmlPath, renderReport(manifest));
  return htmlPath;
}

/** `ecs-fanout report <manifest> -o run.html`. */
export async function reportCommand(
  manifestArg: string,
  raw: { out?: unknown },
  io: CliIo,
): Promise<ExitCode> {
  const out = typeof raw.out === "string" ? resolve(io.cwd, raw.out) : "";
  if (!/\.html?$/i.test(out))
    throw new UsageError([`--out: expected a file ending in .html, got ${JSON.stringify(raw.out ?? null)}`]);
  const manifest = resolve(io.cwd, manifestArg);
  try {
    println(io.stdout, `report: ${await writeReport(manifest, out)}`);
  } catch (error) {
    if (error instanceof ManifestError && error.problems.some((p) => p.message.includes("could not be read")))
      throw new UsageError([`<manifest>: expected a run's manifest, got ${manifestArg}: ${error.message}`], {
        cause: error,
      });
    throw error;
  }
  return ExitCode.ok;
}
