import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FanoutEvent, ManifestError, readManifest } from "ecs-fanout";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { quietLogger } from "../../src/logger.js";
import { ManifestWriter, manifestLineOf } from "../../src/record/writer.js";

const runId = "11111111-1111-4111-8111-111111111111";
const launched: FanoutEvent = {
  type: "task.launched",
  time: 1_700_000_000_000,
  runId,
  taskArn: "arn:aws:ecs:us-east-1:1:task/c/abc",
  launchType: "FARGATE",
  capacityProvider: undefined,
  replacementFor: undefined,
  cpu: 256,
  memory: 512,
  gpus: 0,
};
const downloaded: FanoutEvent = {
  type: "segment.downloaded",
  time: 1_700_000_001_000,
  runId,
  segmentId: "seg-1",
  taskArn: "arn:aws:ecs:us-east-1:1:task/c/abc",
  attempt: 1,
  path: "/out/seg-1.bin",
  bytes: 10,
  sha256: "a".repeat(64),
  timings: { uploadMs: 1, queuedMs: 0, processMs: 5, downloadMs: 2 },
  input: { bytes: 4, sha256: "b".repeat(64) },
};

describe("the manifest", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "fanout-manifest-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads back every line the writer appended, in order", async () => {
    const path = join(dir, "m.jsonl");
    const writer = ManifestWriter.open(path, quietLogger);
    writer.write(launched);
    writer.write(downloaded);
    writer.close();
    const manifest = await readManifest(path);
    expect(manifest.tornTail).toBe(false);
    expect(manifest.records).toEqual([
      JSON.parse(JSON.stringify(launched)),
      JSON.parse(JSON.stringify(downloaded)),
    ]);
  });

  it("does not record progress samples or the in-memory result", () => {
    expect(manifestLineOf({ ...downloaded, type: "segment.progress", progress: 0.5 } as FanoutEvent)).toBe(
      undefined,
    );
  });

  it("does not record staging progress, so a staged run's record can be read back for a resume", async () => {
    const stage = {
      type: "stage.progress",
      time: 1,
      runId: "r",
      bytesDone: 1,
      bytesTotal: 2,
      objectsDone: 0,
      objectsTotal: 1,
      done: false,
    } as const;
    expect(manifestLineOf(stage)).toBe(undefined);
    const path = join(dir, "staged.jsonl");
    const writer = ManifestWriter.open(path, quietLogger);
    writer.write(launched);
    writer.write(stage);
    writer.close();
    expect((await readManifest(path)).records.map((r) => r.type)).toEqual(["task.launched"]);
  });

  it("ignores a torn last line, as a writer killed mid-line leaves it", async () => {
    const path = join(dir, "m.jsonl");
    const line = manifestLineOf(downloaded) as string;
    await writeFile(path, manifestLineOf(launched) as string);
    await appendFile(path, line.slice(0, 37));
    const manifest = await readManifest(path);
    expect(manifest.tornTail).toBe(true);
    expect(manifest.records.map((r) => r.type)).toEqual(["task.launched"]);
  });

  it("accepts a whole last line that only lacks its newline", async () => {
    const path = join(dir, "m.jsonl");
    await writeFile(path, (manifestLineOf(launched) as string).trimEnd());
    expect((await readManifest(path)).records).toHaveLength(1);
  });

  it.each([
    ["a line that is not JSON", "{nope\n", /line 1: expected a JSON object/],
    ["an unknown key", `${JSON.stringify({ ...launched, tokn: "x" })}\n`, /line 1.*tokn/],
    ["an unknown record type", `${JSON.stringify({ type: "run.exploded", time: 1, runId })}\n`, /line 1/],
    [
      "a bad sha256",
      `${JSON.stringify({ ...downloaded, sha256: "zz" })}\n`,
      /line 1: sha256: expected a sha256/,
    ],
  ])("rejects %s anywhere but at the torn end, naming the line", async (_what, bad, message) => {
    const path = join(dir, "m.jsonl");
    await writeFile(path, `${bad}${manifestLineOf(launched)}`);
    const error = await readManifest(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toMatch(message);
  });

  it("bounds the line length it reads", async () => {
    const path = join(dir, "m.jsonl");
    await writeFile(path, `${"x".repeat(2000)}\n${manifestLineOf(launched)}`);
    await expect(readManifest(path, { maxLineBytes: 1000 })).rejects.toThrow(
      /line 1: expected at most 1000 bytes/,
    );
  });

  it("clips a huge worker message so the line stays within bounds", async () => {
    const path = join(dir, "m.jsonl");
    const writer = ManifestWriter.open(path, quietLogger);
    writer.write({
      type: "segment.failed",
      time: 1,
      runId,
      segmentId: "s",
      taskArn: undefined,
      attempt: 1,
      code: "JOB_FAILED",
      message: "e".repeat(100_000),
      willRetry: false,
    });
    writer.close();
    expect((await readFile(path)).length).toBeLessThan(5000);
    expect((await readManifest(path)).records).toHaveLength(1);
  });
});
