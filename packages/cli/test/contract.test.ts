import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTestVideo } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_BIN, REPO_ROOT, runCli } from "./support/cli.js";

// The local workflow as a user types it: `ecs-fanout local` in one shell, its exports in another, then
// `run` against that endpoint with the AWS flags, `--json`, and `ls`.

let dir: string;
let clip: string;
let local: ChildProcess | undefined;
let exports: Record<string, string> = {};

/** Starts `ecs-fanout local` and reads the `export NAME=value` lines it prints. */
async function startLocalCommand(home: string): Promise<Record<string, string>> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  const child = spawn(
    process.execPath,
    ["--conditions=ecs-fanout-source", "--import", "tsx", CLI_BIN, "local"],
    {
      cwd: REPO_ROOT,
      env: { ...env, HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  local = child;
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no exports from ecs-fanout local: ${out}${err}`)),
      30_000,
    );
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    // The exports go to stdout (for eval), the notes to stderr; the last note means "ready".
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      if (!err.includes("Ctrl-C")) return;
      clearTimeout(timer);
      const vars: Record<string, string> = {};
      for (const m of out.matchAll(/^export (\w+)=(\S+)$/gm)) vars[m[1] as string] = m[2] as string;
      resolve(vars);
    });
    child.on("exit", (code) => reject(new Error(`ecs-fanout local exited ${code}: ${out}${err}`)));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-contract-"));
  clip = join(dir, "clip.mp4");
  await generateTestVideo({ output: clip, seconds: 2, width: 160, height: 90 });
  exports = await startLocalCommand(dir);
}, 60_000);

afterAll(async () => {
  if (local && local.exitCode === null) {
    const exited = new Promise((r) => local?.once("exit", r));
    local.kill("SIGINT");
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe("ecs-fanout local, then the commands pointed at it through the printed exports", () => {
  it("prints the environment to export: endpoint, region (also as AWS_DEFAULT_REGION, for botocore) and credentials", () => {
    expect(exports.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(exports)).toEqual(
      expect.arrayContaining([
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
      ]),
    );
  });

  it("run --cluster --task-definition --subnets --security-groups --json gives one document with the run's metrics", async () => {
    const out = join(dir, "out.mp4");
    const run = await runCli(
      [
        "run",
        clip,
        "--out",
        out,
        "--scale",
        "2",
        "--tasks",
        "2",
        "--segment-seconds",
        "1",
        "--cluster",
        "ecs-fanout",
        "--task-definition",
        "ecs-fanout-worker-cpu",
        "--subnets",
        "subnet-0a11ed0000000001a",
        "--security-groups",
        "sg-local",
        "--spot",
        "--json",
      ],
      { env: exports, home: dir, timeoutMs: 100_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      ok: boolean;
      runId: string;
      metrics: Record<string, number>;
      output: { info: { width: number; height: number; hasAudio: boolean } };
      result: { runId: string; succeeded: number; tasks: { capacityProvider: string }[] };
    };
    expect(doc.ok).toBe(true);
    expect(doc.runId).toBe(doc.result.runId);
    expect([doc.output.info.width, doc.output.info.height, doc.output.info.hasAudio]).toEqual([
      320,
      180,
      true,
    ]);
    expect(doc.result.succeeded).toBe(2);
    expect(doc.result.tasks.every((t) => t.capacityProvider === "FARGATE_SPOT")).toBe(true);
    for (const name of ["speedupFactor", "parallelEfficiency", "processingEfficiency", "totalCostUsd"])
      expect(typeof doc.metrics[name], name).toBe("number");

    const ls = await runCli(["ls", "--json"], { env: exports, home: dir });
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual({ cluster: "ecs-fanout", tasks: [] });
  }, 120_000);
});
