import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { ListMultipartUploadsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { generateTestVideo, probe } from "@ecs-fanout/video";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.js";
import { workDirFor } from "../src/upscale/pipeline.js";
import { runCli, startCli } from "./support/cli.js";
import { memoryIo } from "./support/io.js";
import { type LocalStack, objectExists, readObject, startLocalStack } from "./support/s3.js";

const CLUSTER = "cli-s3";
const BUCKET = "media";
let stack: LocalStack;
let dir: string;
let clip: string;

/** Runs the bin as a user would, pointed at the test's local ECS endpoint and local S3. */
function cli(args: string[], env: Record<string, string> = stack.env) {
  return runCli([...args, "--cluster", CLUSTER], { home: dir, env, timeoutMs: 150_000 });
}

const runTasks = () => stack.target.local.stats().calls["RunTask"] ?? 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-s3-run-"));
  clip = join(dir, "clip.mp4");
  await generateTestVideo({ output: clip, seconds: 4, width: 320, height: 180 });
  stack = await startLocalStack(CLUSTER, [BUCKET], join(dir, "s3"));
  await stack.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: "in/clip.mp4", Body: await readFile(clip) }),
  );
}, 60_000);
// Whatever a run did (landed, failed, was killed and resumed), no multipart upload stays open.
afterEach(async () => {
  const open = await stack.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  expect(open.Uploads ?? []).toEqual([]);
});
afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The output object, downloaded and probed, checked against the source clip. */
async function checkOutput(key: string) {
  const object = await readObject(stack.s3, BUCKET, key);
  const local = join(dir, `check-${key.replace(/\W/g, "_")}`);
  await writeFile(local, object.body);
  const [src, out] = await Promise.all([probe(clip), probe(local)]);
  expect([out.width, out.height]).toEqual([640, 360]);
  expect(out.frames).toBe(src.frames);
  expect(Math.abs(out.durationSeconds - src.durationSeconds)).toBeLessThanOrEqual(1 / src.fps + 0.001);
  expect(out.hasAudio).toBe(true);
  // The local S3 keeps no additional checksums: its ETag (MD5 of the bytes) is its digest.
  expect(object.etag).toBe(object.md5);
  return object;
}

describe("ecs-fanout run with s3:// input and output", () => {
  it("downloads the input, upscales it on the tasks, and puts the verified output in S3", async () => {
    const before = runTasks();
    const run = await cli([
      "run",
      `s3://${BUCKET}/in/clip.mp4`,
      "--out",
      `s3://${BUCKET}/out/clip-2x.mp4`,
      "--tasks",
      "2",
      "--segment-seconds",
      "2",
      "--manifest",
      join(dir, "s3-run.jsonl"),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/downloading input: s3:\/\/media\/in\/clip\.mp4 \(\d/);
    expect(run.stderr).toMatch(/uploading output: s3:\/\/media\/out\/clip-2x\.mp4 \(\d/);
    expect(run.stderr).toMatch(/ done\n/);
    expect(run.stdout).toMatch(/input\s+s3:\/\/media\/in\/clip\.mp4 \(320×180/);
    expect(run.stdout).toMatch(/output\s+s3:\/\/media\/out\/clip-2x\.mp4 \(640×360/);
    expect(run.stdout).toMatch(/in S3\s+one PUT, sha256 [0-9a-f]{64}, checked against S3's ETag/);
    expect(run.stdout).toContain("verified: size, duration (within one frame) and audio match the input");
    const object = await checkOutput("out/clip-2x.mp4");
    expect(run.stdout).toContain(`sha256 ${object.sha256}`);
    expect(runTasks()).toBeGreaterThan(before);
    // The work dir (download, segments, outputs) is gone once the output is in S3.
    const location = { bucket: BUCKET, key: "out/clip-2x.mp4" };
    expect(existsSync(workDirFor({ kind: "s3", uri: "s3://media/out/clip-2x.mp4", location }))).toBe(false);
    expect(run.stderr).toContain(`run record: ${join(dir, "s3-run.jsonl")}`);
    // No secret and no signed URL anywhere in what the command printed.
    const printed = run.stdout + run.stderr;
    expect(printed).not.toContain(stack.env["AWS_SECRET_ACCESS_KEY"]);
    expect(printed).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
  }, 160_000);

  it("reports the S3 object in --json, and keeps the record in the working directory", async () => {
    const io = memoryIo({ home: dir, cwd: dir, env: stack.env });
    const argv = ["run", "clip.mp4", "--out", `s3://${BUCKET}/out/from-file.mp4`, "--tasks", "1"];
    const code = await main([...argv, "--segment-seconds", "4", "--json", "--cluster", CLUSTER], io);
    expect(code, io.err()).toBe(0);
    expect(io.err()).toContain(`run record: ${join(dir, "from-file.mp4.run.jsonl")}`);
    const doc = JSON.parse(io.out()) as {
      ok: boolean;
      output: {
        path: string;
        s3: { uri: string; bytes: number; sha256: string; parts: number; verifiedBy: string };
      };
      timings: { uploadSeconds: number; downloadSeconds: number };
    };
    expect(doc.ok).toBe(true);
    const object = await checkOutput("out/from-file.mp4");
    expect(doc.output.path).toBe("s3://media/out/from-file.mp4");
    expect(doc.output.s3).toMatchObject({
      uri: "s3://media/out/from-file.mp4",
      bytes: object.body.length,
      sha256: object.sha256,
      parts: 0,
      verifiedBy: "S3's ETag",
    });
    expect(doc.timings.uploadSeconds).toBeGreaterThan(0);
    expect(doc.timings.downloadSeconds).toBe(0);
  }, 160_000);
});

/** Every object key under a prefix, read from the local S3's folder (its listing calls are not SDK-compatible). */
async function keysUnder(prefix: string): Promise<string[]> {
  const root = join(stack.directory ?? "", BUCKET);
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries
    .filter((e) => e.endsWith("._S3rver_object"))
    .map((e) => e.slice(0, -"._S3rver_object".length).split(sep).join("/"))
    .filter((key) => key.startsWith(prefix))
    .sort();
}

/** The run's own folder under the stage prefix, as the command printed it. */
function stageFolder(stderr: string, prefix: string): string {
  const where = new RegExp(
    `staging segments under s3://${BUCKET}/(${prefix}run-[\\w-]+/)in/; outputs land in s3://${BUCKET}/\\1out/`,
  ).exec(stderr);
  expect(where, stderr).not.toBeNull();
  return where?.[1] ?? "";
}

describe("ecs-fanout run --stage: the segments go through S3", () => {
  it("stages the segments of an S3 input, has the tasks read and write S3, puts the output in S3 and removes what it staged", async () => {
    const run = await cli([
      "run",
      `s3://${BUCKET}/in/clip.mp4`,
      "--out",
      `s3://${BUCKET}/out/staged-2x.mp4`,
      "--stage",
      `s3://${BUCKET}/stage-a/`,
      "--tasks",
      "2",
      "--segment-seconds",
      "2",
      "--manifest",
      join(dir, "staged.jsonl"),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const folder = stageFolder(run.stderr, "stage-a/");
    // The staging line is drawn from the core's stage.progress events, up to the last segment.
    expect(run.stderr).toMatch(/staging in S3: .* of .* \(2\/2 segments\)/);
    await checkOutput("out/staged-2x.mp4");
    // The tasks read their segments from S3 (nothing over the direct link) and wrote their outputs there.
    const record = await readFile(join(dir, "staged.jsonl"), "utf8");
    const lines = record
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; bytes?: number; s3?: { uri: string } });
    const uploaded = lines.filter((l) => l.type === "segment.uploaded");
    expect(uploaded.map((l) => l.bytes)).toEqual([0, 0]);
    const landed = lines.filter((l) => l.type === "segment.downloaded").map((l) => l.s3?.uri);
    expect(landed.sort()).toEqual([
      `s3://${BUCKET}/${folder}out/seg-00000.mp4`,
      `s3://${BUCKET}/${folder}out/seg-00001.mp4`,
    ]);
    // Everything staged is gone: the segments and the tasks' outputs.
    expect(await keysUnder("stage-a/")).toEqual([]);
    expect(run.stdout + run.stderr).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
  }, 160_000);

  it("stages a local file's segments and writes the verified output to a local file, leaving nothing in S3", async () => {
    const out = join(dir, "staged-local-2x.mp4");
    const run = await cli([
      "run",
      clip,
      "--out",
      out,
      "--stage",
      `s3://${BUCKET}/stage-b/`,
      "--tasks",
      "1",
      "--segment-seconds",
      "2",
    ]);
    expect(run.code, run.stderr).toBe(0);
    stageFolder(run.stderr, "stage-b/");
    expect(run.stderr).toMatch(/staging in S3: .* of .* \(2\/2 segments\)/);
    const [src, got] = await Promise.all([probe(clip), probe(out)]);
    expect([got.width, got.height]).toEqual([640, 360]);
    expect(got.frames).toBe(src.frames);
    expect(got.hasAudio).toBe(true);
    expect(await keysUnder("stage-b/")).toEqual([]);
  }, 160_000);

  it("leaves the staged segments and their outputs with --keep-staged", async () => {
    const run = await cli([
      "run",
      clip,
      "--out",
      `s3://${BUCKET}/out/kept-2x.mp4`,
      "--stage",
      `s3://${BUCKET}/stage-c/`,
      "--keep-staged",
      "--tasks",
      "1",
      "--segment-seconds",
      "2",
      "--manifest",
      join(dir, "kept.jsonl"),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const folder = stageFolder(run.stderr, "stage-c/");
    await checkOutput("out/kept-2x.mp4");
    // Two staged segments and their two outputs, in this run's own folder, and nothing else.
    const kept = await keysUnder("stage-c/");
    expect(kept).toHaveLength(4);
    expect(kept.filter((k) => k.startsWith(`${folder}in/`))).toHaveLength(2);
    expect(kept.filter((k) => k.startsWith(`${folder}out/`))).toEqual([
      `${folder}out/seg-00000.mp4`,
      `${folder}out/seg-00001.mp4`,
    ]);
  }, 160_000);
});

describe("ecs-fanout run --stage, killed and resumed", () => {
  it("resumes in the killed run's folder: the outputs that landed are reused, and everything it staged is removed", async () => {
    const out = join(dir, "resumed-2x.mp4");
    const manifest = join(dir, "resumed.jsonl");
    const args = ["run", clip, "--out", out, "--stage", `s3://${BUCKET}/stage-d/`, "--tasks", "1"];
    args.push("--segment-seconds", "1", "--manifest", manifest);
    const records = async (type: string) =>
      (await readFile(manifest, "utf8").catch(() => ""))
        .split("\n")
        .filter((l) => l.includes(`"type":"${type}"`))
        .map((l) => (JSON.parse(l) as { segmentId: string }).segmentId);
    const first = startCli([...args, "--cluster", CLUSTER], {
      home: dir,
      env: stack.env,
      timeoutMs: 150_000,
    });
    const until = Date.now() + 120_000;
    while (
      (await records("segment.downloaded")).length === 0 &&
      Date.now() < until &&
      first.child.exitCode === null
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const folder = stageFolder(killed.stderr, "stage-d/");
    const landed = await records("segment.downloaded");
    expect(landed.length).toBeGreaterThanOrEqual(1);
    expect(landed.length).toBeLessThan(4);
    // The killed run left its staged segments and its landed outputs in S3.
    expect((await keysUnder(`${folder}in/`)).length).toBeGreaterThan(0);

    const again = await cli([...args, "--resume"]);
    expect(again.code, again.stderr).toBe(0);
    expect(stageFolder(again.stderr, "stage-d/")).toBe(folder);
    expect((await records("segment.resumed")).sort()).toEqual([...landed].sort());
    const [src, got] = await Promise.all([probe(clip), probe(out)]);
    expect([got.width, got.height]).toEqual([640, 360]);
    expect(got.frames).toBe(src.frames);
    // Both runs' staged segments and every output are gone.
    expect(await keysUnder("stage-d/")).toEqual([]);
  }, 300_000);
});

describe("S3 problems stop the run before any RunTask", () => {
  it("lists a missing input object and a missing output bucket together, exit 2", async () => {
    const before = runTasks();
    const run = await cli(["run", `s3://${BUCKET}/in/nope.mp4`, "--out", "s3://no-such-bucket/out.mp4"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ecs-fanout: invalid run arguments (2 problems):");
    expect(run.stderr).toContain(
      "  - <input>: expected an S3 object you can read, got s3://media/in/nope.mp4: no such object (NoSuchKey)",
    );
    expect(run.stderr).toContain(
      "  - --out: expected a location in an S3 bucket you can write to, got s3://no-such-bucket/out.mp4: no such bucket (NoSuchBucket)",
    );
    expect(runTasks()).toBe(before);
  }, 60_000);

  it("names a --stage bucket that does not exist beside the other problems", async () => {
    const before = runTasks();
    const run = await cli([
      "run",
      `s3://${BUCKET}/in/clip.mp4`,
      "--out",
      "s3://no-such-bucket/out.mp4",
      "--stage",
      "s3://no-stage-bucket/stage/",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ecs-fanout: invalid run arguments (2 problems):");
    expect(run.stderr).toContain(
      "  - --stage: expected a location in an S3 bucket you can write to, got s3://no-stage-bucket/stage/: no such bucket (NoSuchBucket)",
    );
    expect(runTasks()).toBe(before);
  }, 60_000);

  it("names a missing input bucket", async () => {
    const run = await cli(["run", "s3://no-such-bucket/in.mp4", "--out", join(dir, "x.mp4")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/<input>: .*s3:\/\/no-such-bucket\/in\.mp4: no such bucket \(NoSuchBucket\)/);
  }, 60_000);

  it("refuses a bad URI before touching S3 at all", async () => {
    const before = runTasks();
    const run = await cli(["run", "s3://media", "--out", "s3://media/out/x.mp4"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /<input>: expected an s3:\/\/ object URI \(s3:\/\/bucket\/key\), got "s3:\/\/media"/,
    );
    expect(runTasks()).toBe(before);
  }, 60_000);

  it("says how to give credentials when there are none", async () => {
    const before = runTasks();
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...env } = stack.env;
    const run = await cli(["run", `s3://${BUCKET}/in/clip.mp4`, "--out", join(dir, "y.mp4")], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "<input>: expected an S3 object you can read, got s3://media/in/clip.mp4: no AWS credentials for S3 (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)",
    );
    expect(runTasks()).toBe(before);
  }, 60_000);

  it("says the credentials are wrong when the local S3 refuses their signature", async () => {
    const run = await cli(["run", `s3://${BUCKET}/in/clip.mp4`, "--out", join(dir, "z.mp4")], {
      ...stack.env,
      AWS_SECRET_ACCESS_KEY: "not-the-secret",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/S3 refused the credentials \(SignatureDoesNotMatch\)/);
    expect(run.stderr).not.toContain("not-the-secret");
  }, 60_000);
});

describe("an s3:// input that is not a video", () => {
  it("fails as a bad argument after the download, before any RunTask", async () => {
    await stack.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "in/notes.mp4", Body: "not a video" }));
    const before = runTasks();
    const run = await cli(["run", `s3://${BUCKET}/in/notes.mp4`, "--out", join(dir, "notes-2x.mp4")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /<input>: expected a video ffprobe can read, got s3:\/\/media\/in\/notes\.mp4/,
    );
    expect(runTasks()).toBe(before);
    expect(await objectExists(stack.s3, BUCKET, "in/notes.mp4")).toBe(true);
  }, 60_000);
});
