import { fileURLToPath } from "node:url";

/** Repository root (bench/lib/ → ../..). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export const workerBinSource = fileURLToPath(new URL("../../packages/worker/src/bin.ts", import.meta.url));

/**
 * argv that starts a package bin from its TypeScript source with no build:
 * node --conditions=ecs-fanout-source --import tsx <bin.ts>. Run with cwd = repo root so `tsx` resolves.
 */
export function sourceBinArgv(binPath: string): string[] {
  return [process.execPath, "--conditions=ecs-fanout-source", "--import", "tsx", binPath];
}
