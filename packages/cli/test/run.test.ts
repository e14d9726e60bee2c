import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTestVideo, probe } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.js";
import { type LocalTarget, openLocalTarget } from "../src/target/local.js";
import { CLI_BIN, REPO_ROOT, runCli } from "./support/cli.js";
import { runningTasks } from "./support/endpoint.js";
import { memoryIo } from "./support/io.js";

let dir: string;
let clip: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-run-"));
  clip = join(dir, "clip.mp4");
  await generateTestVideo({ output: clip, seconds: 4, width: 320, height: 180 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ecs-fanout run", () => {
  it("upscales a 4 s clip ×2 across 2 tasks on the local endpoint, verifies it and reports", async () => {
    const out = join(dir, "plain.mp4");
    const run = await runCli(
      ["run", clip, "--out", out, "--tasks", "2", "--segment-seconds", "2", "--local"],
      {
        home: dir,
        timeoutMs: 100_000,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split("\n")[0]).toMatch(/^using the local ECS endpoint at http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stderr).toMatch(/task #1 \w+ RUNNING/);
    // --local names no subnets: the core finds the endpoint's default VPC, as on an account.
    expect(run.stderr).toMatch(/launching: .*; network: default VPC vpc-\w+, subnets subnet-\w+/);
    expect(run.stdout).toMatch(/task\s+capacity\s+start-up\s+segments\s+busy\s+billed\s+cost\s+stop/);
    expect(run.stdout).toMatch(/segments\s+2\/2 succeeded/);
    expect(run.stdout).toMatch(/speedup\s+\d+\.\d\d× \(ideal/);
    expect(run.stdout).toMatch(/cost per segment\s+\$0\.\d+/);
    expect(run.stdout).toContain("verified: size, duration (within one frame) and audio match the input");
    const [src, result] = await Promise.all([probe(clip), probe(out)]);
    expect([result.width, result.height]).toEqual([640, 360]);
    expect(Math.abs(result.durationSeconds - src.durationSeconds)).toBeLessThanOrEqual(1 / src.fps + 0.001);
    expect(result.hasAudio).toBe(true);
  }, 120_000);

  it("prints one JSON document with --json, no progress, and stops every task it launched", async () => {
    const io = memoryIo({ home: dir, cwd: dir });
    const code = await main(
      ["run", clip, "--out", "json.mp4", "--tasks", "2", "--segment-seconds", "2", "--local", "--json"],
      io,
    );
    expect(code, io.err()).toBe(0);
    const doc = JSON.parse(io.out()) as {
      ok: boolean;
      verification: { ok: boolean };
      output: { info: { width: number } };
      result: { succeeded: number; failed: number; tasks: Array<{ lastStatus: string }> };
      lostTasks: Record<string, string>;
    };
    expect(doc.ok).toBe(true);
    expect(doc.verification.ok).toBe(true);
    expect(doc.output.info.width).toBe(640);
    expect(doc.result.succeeded).toBe(2);
    expect(doc.result.tasks.length).toBeGreaterThanOrEqual(1);
    expect(doc.result.tasks.every((t) => t.lastStatus === "STOPPED")).toBe(true);
    expect(doc.lostTasks).toEqual({});
    expect(io.err()).not.toMatch(/\[\s*\d+\.\ds\]/);
  }, 120_000);
});

describe("Ctrl-C during a run", () => {
  let target: LocalTarget;
  beforeAll(async () => {
    target = await openLocalTarget({ cluster: "cli-sigint" });
  });
  afterAll(async () => {
    await target?.close();
  });

  it("aborts the run, stops every task and exits 130", async () => {
    const long = join(dir, "long.mp4");
    await generateTestVideo({ output: long, seconds: 8, width: 320, height: 180 });
    const creds = target.local.clientConfig.credentials;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir };
    for (const key of Object.keys(env)) if (key.startsWith("AWS_")) delete env[key];
    Object.assign(env, {
      AWS_ENDPOINT_URL: target.local.endpoint,
      AWS_REGION: target.local.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    });
    const args = ["run", long, "--out", join(dir, "never.mp4"), "--tasks", "2", "--segment-seconds", "1"];
    args.push("--cluster", "cli-sigint", "--subnets", "subnet-0a11ed0000000001a");
    const child = spawn(
      process.execPath,
      ["--conditions=ecs-fanout-source", "--import", "tsx", CLI_BIN, ...args],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no segment was uploaded:\n${stderr}`)), 90_000);
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (/uploaded/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGINT");
    const code = await exited;
    expect(stderr).toContain("SIGINT: stopping every task of this run");
    expect(stderr).toContain("interrupted by SIGINT; every task of this run was stopped");
    expect(code).toBe(130);
    expect(await runningTasks(target.clients!.ecs!, "cli-sigint")).toEqual([]);
  }, 150_000);
});
