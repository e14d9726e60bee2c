/**
 * The benchmark runs the worker the way a container does: plain `node` on built JavaScript, not
 * TypeScript compiled at start-up. It bundles the worker bin from source with esbuild (the one
 * tsup already depends on) into a scratch file, so the measured worker is always the current
 * source and no package's dist/ is touched.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { repoRoot, workerBinSource } from "./paths.js";

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[] }>;
}

export async function bundleWorker(outDir: string): Promise<string> {
  const fromTsup = createRequire(createRequire(path.join(repoRoot, "package.json")).resolve("tsup"));
  const esbuild = fromTsup("esbuild") as Esbuild;
  const outfile = path.join(outDir, "ecs-fanout-worker.mjs");
  await esbuild.build({
    entryPoints: [workerBinSource],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    conditions: ["ecs-fanout-source"],
    packages: "bundle",
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "silent",
  });
  return outfile;
}
