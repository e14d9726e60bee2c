import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTestVideo } from "@ecs-fanout/video";
import { readManifest } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.js";
import { memoryIo } from "./support/io.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-report-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the run record on the command line", () => {
  it("run --report writes the record beside the output and the HTML report, and says where both are", async () => {
    const clip = join(dir, "clip.mp4");
    await generateTestVideo({ output: clip, seconds: 4, width: 320, height: 180 });
    const io = memoryIo({ home: dir, cwd: dir });
    const code = await main(
      [
        "run",
        clip,
        "--out",
        "up.mp4",
        "--tasks",
        "2",
        "--segment-seconds",
        "2",
        "--local",
        "--report",
        "run.html",
      ],
      io,
    );
    expect(code, io.err()).toBe(0);
    expect(io.err()).toContain(`run record: ${join(dir, "up.mp4.run.jsonl")}`);
    expect(io.err()).toContain(`report: ${join(dir, "run.html")}`);
    const manifest = await readManifest(join(dir, "up.mp4.run.jsonl"));
    const html = await readFile(join(dir, "run.html"), "utf8");
    for (const r of manifest.records) if (r.type === "task.launched") expect(html).toContain(r.taskArn);
    expect(manifest.records.filter((r) => r.type === "segment.downloaded")).toHaveLength(2);
  }, 120_000);

  it("report renders a manifest to the file named with -o", async () => {
    const manifest = join(dir, "m.jsonl");
    const runId = "22222222-2222-4222-8222-222222222222";
    await writeFile(
      manifest,
      `${JSON.stringify({ type: "run.started", time: 1, runId, segments: 1, plannedTasks: 1, network: { assignPublicIp: false, endpoint: "private" } })}\n`,
    );
    const io = memoryIo({ home: dir, cwd: dir });
    expect(await main(["report", "m.jsonl", "-o", "r.html"], io), io.err()).toBe(0);
    expect(io.out()).toBe(`report: ${join(dir, "r.html")}\n`);
    expect(await readFile(join(dir, "r.html"), "utf8")).toContain(runId);
  });

  it("report refuses a file that is not a manifest, naming the line", async () => {
    await writeFile(join(dir, "bad.jsonl"), '{"type":"nope"}\n{"type":"nope"}\n');
    const io = memoryIo({ home: dir, cwd: dir });
    expect(await main(["report", "bad.jsonl", "-o", "x.html"], io)).not.toBe(0);
    expect(io.err()).toMatch(/line 1/);
  });
});
