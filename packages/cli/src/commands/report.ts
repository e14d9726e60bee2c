import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ManifestError, readManifest, renderReport } from "ecs-fanout";
import { z } from "zod";
import { ExitCode, UsageError } from "../errors.js";
import { type CliIo, println } from "../io.js";
import { checkFlags } from "../parse/flags.js";

/** `report`'s options as commander hands them over. */
const reportFlags = z.strictObject({
  /** Where the HTML goes. */
  out: z
    .string()
    .regex(/\.html?$/i)
    .describe("a file ending in .html"),
});

/** Reads a manifest, renders it, writes the HTML; returns where it went. */
export async function writeReport(manifestPath: string, htmlPath: string): Promise<string> {
  const manifest = await readManifest(manifestPath);
  await writeFile(htmlPath, renderReport(manifest));
  return htmlPath;
}

/** `ecs-fanout report <manifest> -o run.html`. */
export async function reportCommand(
  manifestArg: string,
  raw: Record<string, unknown>,
  io: CliIo,
): Promise<ExitCode> {
  const out = resolve(io.cwd, checkFlags("report", reportFlags, raw).out);
  const manifest = resolve(io.cwd, manifestArg);
  try {
    println(io.stdout, `report: ${await writeReport(manifest, out)}`);
  } catch (error) {
    if (error instanceof ManifestError && error.problems.some((p) => p.message.includes("could not be read")))
      throw new UsageError(
        "report arguments",
        [{ path: "<manifest>", message: `expected a run's manifest, got ${manifestArg}: ${error.message}` }],
        { cause: error },
      );
    throw error;
  }
  return ExitCode.ok;
}
