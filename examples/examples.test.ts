import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const EXAMPLES = readdirSync(fileURLToPath(new URL(".", import.meta.url)))
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .sort();

/** Runs an example the way `pnpm example:<name>` does, with AWS cleared so it uses the local endpoint. */
function runExample(file: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { TSX_TSCONFIG_PATH: "tsconfig.examples.json" };
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("AWS_") && !k.startsWith("ECS_FANOUT_")) env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=ecs-fanout-source", "--import", "tsx", `examples/${file}`],
      {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 100_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("examples", () => {
  it("has the four documented examples", () => {
    expect(EXAMPLES).toEqual([
      "custom-workload.ts",
      "gpu-upscale.ts",
      "list-and-cleanup.ts",
      "upscale-video.ts",
    ]);
  });

  it.each(EXAMPLES)("%s runs to completion on the local endpoint", { timeout: 120_000 }, async (file) => {
    const { code, output } = await runExample(file);
    expect(output).toContain("local ECS endpoint");
    expect(output, output).toMatch(/\bok\b/);
    expect(code, output).toBe(0);
  });
});
