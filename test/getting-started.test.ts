import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateTestVideo } from "@ecs-fanout/video";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));
// Inside the repository so the snippet resolves packages as a user's project would from node_modules.
mkdirSync(join(root, ".tmp"), { recursive: true });
const work = mkdtempSync(join(root, ".tmp", "getting-started-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TSX_TSCONFIG_PATH: join(root, "tsconfig.examples.json"),
    };
    for (const k of Object.keys(env)) if (k.startsWith("AWS_")) delete env[k];
    const child = spawn(process.execPath, ["--conditions=ecs-fanout-source", "--import", "tsx", file], {
      cwd: work,
      env,
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 110_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("docs/getting-started.md", () => {
  it("its first code sample runs as printed and upscales every segment", { timeout: 120_000 }, async () => {
    const markdown = readFileSync(join(root, "docs", "getting-started.md"), "utf8");
    const sample = /```ts\n([\s\S]*?)```/.exec(markdown)?.[1];
    expect(sample, "getting-started.md should open with a ts code block").toBeDefined();
    writeFileSync(join(work, "sample.ts"), sample ?? "");
    // The sample reads clip.mp4 (the page makes it with ffmpeg); 8 s gives two 4 s segments.
    await generateTestVideo({ output: join(work, "clip.mp4"), seconds: 8, width: 320, height: 180 });

    const { code, output } = await run("sample.ts");
    expect(code, output).toBe(0);
    expect(output).toMatch(/^2 segments, \d+\.\d\d × faster$/m);
    // The outputs, and the run record the page then renders as a report.
    expect(readdirSync(join(work, "upscaled")).sort()).toEqual([
      "ecs-fanout-manifest.jsonl",
      "seg-0.mp4",
      "seg-1.mp4",
    ]);
  });
});
