import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.js";
import { runCli } from "./support/cli.js";
import { memoryIo } from "./support/io.js";

let dir: string;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-args-"));
  input = join(dir, "in.mp4");
  await writeFile(input, "not looked at: validation fails first");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs main() in-process with no AWS configuration and an empty HOME. */
async function cli(...argv: string[]) {
  const io = memoryIo({ home: dir, cwd: dir });
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe("bad arguments exit 2 with every problem named, and nothing is launched", () => {
  it.each([
    [["run", "--out", "o.mp4"], /missing required argument 'input'/],
    [["run", "in.mp4"], /--out: expected a file or s3:\/\/ object ending in \.mp4, .*, got nothing/],
    [
      ["run", "in.mp4", "--out", "o.mp4", "--processor", "esrgan"],
      /--processor: expected one of "ffmpeg-scale", "realesrgan", "seedvr2", got "esrgan"/,
    ],
    [["run", "in.mp4", "--out", "o.mp4", "--bogus"], /unknown option '--bogus'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["run", "in.mp4", "--out", "o.txt"], /--out: expected a file or s3:\/\/ object ending in \.mp4/],
    [["run", "in.mp4", "--out", "in.mp4"], /--out: expected a file other than the input/],
    [
      ["run", "in.mp4", "--out", "o.mp4", "--spot", "--gpu"],
      /--spot: expected CPU work \(Fargate Spot has no GPUs\)/,
    ],
    [
      ["run", "in.mp4", "--out", "o.mp4", "--local", "--subnets", "subnet-a"],
      /--subnets: expected AWS \(the flag names AWS resources\), got the local endpoint \(--local\); drop --local/,
    ],
    [["run", "in.mp4", "--out", "o.mp4", "--params", "[1]"], /--params: expected a JSON object/],
    [
      ["run", "s3://Not_A_Bucket/in.mp4", "--out", "o.mp4"],
      /<input>: expected an s3:\/\/ object URI \(s3:\/\/bucket\/key\) whose bucket is a valid S3 bucket name, got "s3:\/\/Not_A_Bucket\/in.mp4"/,
    ],
    [
      ["run", "in.mp4", "--out", "s3://bucket/folder/"],
      /--out: expected a file or s3:\/\/ object ending in \.mp4/,
    ],
    [["run", "in.mp4", "--out", "s3://bucket"], /--out: expected a file or s3:\/\/ object ending in \.mp4/],
    [
      ["run", "s3://bucket/in.mp4", "--out", "s3://bucket/in.mp4"],
      /--out: expected a file other than the input, got the input itself/,
    ],
    [
      ["run", "in.mp4", "--out", "o.mp4", "--stage", "s3://bucket/stage"],
      /--stage: expected an s3:\/\/ prefix ending in \/ \(s3:\/\/bucket\/prefix\/\), got "s3:\/\/bucket\/stage"/,
    ],
    [
      ["run", "in.mp4", "--out", "o.mp4", "--keep-staged"],
      /--keep-staged: expected --stage s3:\/\/…\/ beside it, got/,
    ],
    [["cleanup", "--older-than", "soon"], /--older-than: expected a duration such as 90s/],
    [["cleanup", "--dry-run", "--yes"], /expected either --dry-run or --yes, got both/],
    [["cleanup"], /--yes: expected --yes \(or --dry-run\) to stop tasks without a terminal/],
    [["ls", "--started-by", "has spaces"], /--started-by: expected 1–128 letters/],
    [["cost", "--cpu", "3", "--memory", "4", "--minutes", "10"], /--cpu: expected a Fargate size/],
    [
      ["cost", "--cpu", "2", "--memory", "1", "--minutes", "10"],
      /--memory: expected a Fargate size \(memory for 2048/,
    ],
    [["cost", "--cpu", "2", "--memory", "4"], /--minutes: expected a number > 0 and ≤ 20160, got nothing/],
    [
      ["cost", "--minutes", "5", "--instance-type", "p5.48xlarge"],
      /--instance-type: expected one of g4dn\.xlarge/,
    ],
    [
      ["cost", "--cpu", "2", "--memory", "4", "--minutes", "5", "--region", "mars-1"],
      /--region: expected a region in the price table/,
    ],
    [["local", "--port", "99999"], /--port: expected an integer from 0 to 65535, got "99999"/],
    [["cleanup", "--run-id", " ", "--dry-run"], /--run-id: expected a non-empty string, got " "/],
    [
      ["run", "in.mp4", "--out", "o.mp4", "--subnets", "subnet-a,,subnet-b"],
      /--subnets: expected a comma-separated list/,
    ],
  ])("ecs-fanout %j", async (argv, message) => {
    const { code, stderr } = await cli(...argv);
    expect(stderr).toMatch(message);
    expect(stderr).not.toContain("using the local ECS endpoint");
    expect(code).toBe(2);
  });

  it("lists every problem of one command line together", async () => {
    const { code, stderr } = await cli(
      "run",
      "missing.mp4",
      "--out",
      "o.mp4",
      "--scale",
      "5",
      "--tasks",
      "0",
      "--segment-seconds",
      "zero",
    );
    expect(code).toBe(2);
    expect(stderr).toContain('<input>: expected an existing video file, got "missing.mp4"');
    expect(stderr).toContain("invalid run options (4 problems):");
    expect(stderr).toContain('  - --scale: expected an integer from 2 to 4, got "5"');
    expect(stderr).toContain('  - --tasks: expected an integer from 1 to 100, got "0"');
    expect(stderr).toContain('  - --segment-seconds: expected a number from 0.5 to 3600, got "zero"');
  });

  it("rejects an input ffprobe cannot read with exit 2, before any endpoint starts", async () => {
    const { code, stderr } = await cli("run", "in.mp4", "--out", "o.mp4", "--local");
    expect(stderr).toMatch(/<input>: expected a video ffprobe can read/);
    expect(code).toBe(2);
  });

  it("prints help and the version with exit 0", async () => {
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/run \[options\] <input>/);
    const version = await cli("--version");
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("the bin as a process", () => {
  it("exits 2 on a bad flag value, naming the flag, and 0 on --help", async () => {
    const out = join(dir, "x.mp4");
    const bad = await runCli(["run", input, "--out", out, "--tasks", "abc"], { home: dir });
    expect(bad.stderr).toBe(
      'ecs-fanout: invalid run options (1 problem):\n  - --tasks: expected an integer from 1 to 100, got "abc"\n',
    );
    expect(bad.code).toBe(2);
    const help = await runCli(["cleanup", "--help"], { home: dir });
    expect(help.stdout).toContain("--older-than <duration>");
    expect(help.code).toBe(0);
  });

  it("reports every problem of every kind together, before any endpoint starts", async () => {
    const bad = await runCli(
      [
        "run",
        "nowhere.mp4",
        "--out",
        "x.txt",
        "--tasks",
        "many",
        "--segment-seconds",
        "0",
        "--params",
        "{crf:20}",
        "--spot",
        "--gpu",
        "--local",
        "--region",
        "eu-west-1",
      ],
      { home: dir },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n")).toEqual([
      "ecs-fanout: invalid run options (7 problems):",
      '  - --out: expected a file or s3:// object ending in .mp4, .m4v, .mov, .mkv, got "x.txt"',
      '  - --tasks: expected an integer from 1 to 100, got "many"',
      '  - --segment-seconds: expected a number from 0.5 to 3600, got "0"',
      `  - --params: expected a JSON object such as '{"crf":20}', got "{crf:20}"`,
      '  - <input>: expected an existing video file, got "nowhere.mp4"',
      "  - --spot: expected CPU work (Fargate Spot has no GPUs), got a GPU run; use a Spot-backed GPU capacity provider instead",
      "  - --region: expected AWS (the flag names AWS resources), got the local endpoint (--local); drop --local",
      "",
    ]);
    expect(bad.stdout).toBe("");
  });
});
