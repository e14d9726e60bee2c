import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { executeParallelBatches, type FanoutEvent, type Segment } from "ecs-fanout";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventTranslator } from "../src/progress/events.js";
import { PlainReporter } from "../src/progress/plain.js";
import { TaskLines } from "../src/progress/task-lines.js";
import { TtyReporter } from "../src/progress/tty.js";
import { type LocalTarget, openLocalTarget } from "../src/target/local.js";

/** A plain reporter writing into memory; `lines()` is what it printed, timestamps removed. */
function plainReporter(): { reporter: PlainReporter; lines(): string[] } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d: Buffer) => {
    text += d.toString();
  });
  return {
    reporter: new PlainReporter(stream),
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/^\[\s*\d+\.\ds\] /, "")),
  };
}

describe("task lines (TTY view) when a look-ahead segment is taken over", () => {
  it("moves the segment from the busy task's line to the idle task's line", () => {
    const lines = new TaskLines();
    lines.progress("#1 aaa", "seg-1", "processing", 0.5);
    lines.progress("#1 aaa", "seg-2", "uploaded");
    lines.progress("#2 bbb", "seg-3", "processing", 1);
    lines.done("#2 bbb", "seg-3");
    expect(lines.view("#1 aaa").segment).toBe("seg-1 processing (+1 queued)");

    lines.moved("#1 aaa", "#2 bbb", "seg-2");
    expect(lines.view("#1 aaa")).toMatchObject({ segment: "seg-1 processing", value: 50 });
    expect(lines.view("#2 bbb")).toMatchObject({ segment: "seg-2 moved from #1", value: 0 });
    lines.progress("#2 bbb", "seg-2", "uploaded");
    lines.progress("#2 bbb", "seg-2", "processing", 0.25);
    expect(lines.view("#2 bbb")).toMatchObject({ segment: "seg-2 processing", value: 25 });
    lines.done("#2 bbb", "seg-2");
    expect(lines.view("#2 bbb").segment).toBe("seg-2 done");
    expect(lines.view("#1 aaa").segment).toBe("seg-1 processing");
  });

  it("does not put the segment back when the new task reported it before the take-over event", () => {
    const lines = new TaskLines();
    lines.progress("#1 aaa", "seg-1", "processing", 0.1);
    lines.progress("#1 aaa", "seg-2", "uploaded");
    lines.progress("#2 bbb", "seg-2", "uploaded");
    lines.progress("#2 bbb", "seg-2", "processing", 0.5);
    lines.moved("#1 aaa", "#2 bbb", "seg-2");
    expect(lines.view("#1 aaa").segment).toBe("seg-1 processing");
    expect(lines.view("#2 bbb").segment).toBe("seg-2 processing");

    // Finished on the new task before the event came: it shows on no line as pending.
    lines.progress("#1 aaa", "seg-3", "uploaded");
    lines.progress("#3 ccc", "seg-3", "processing", 1);
    lines.done("#3 ccc", "seg-3");
    lines.moved("#1 aaa", "#3 ccc", "seg-3");
    expect(lines.view("#1 aaa").segment).toBe("seg-1 processing");
    expect(lines.view("#3 ccc").segment).toBe("seg-3 done");
  });
});

describe("the TTY view when a look-ahead segment is taken over", () => {
  it("draws the segment on the new task's line and off the old one", () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let text = "";
    stream.on("data", (d: Buffer) => {
      text += d.toString();
    });
    const tty = new TtyReporter(stream);
    tty.segments(3);
    tty.phase("processing");
    tty.task("#1 aaa", "ready");
    tty.task("#2 bbb", "ready");
    tty.segmentProgress("#1 aaa", "seg-1", "processing", 0.5);
    tty.segmentProgress("#1 aaa", "seg-2", "uploaded");
    tty.segmentProgress("#2 bbb", "seg-3", "processing", 1);
    tty.segmentDone("#2 bbb", "seg-3");
    tty.segmentMoved("#1 aaa", "#2 bbb", "seg-2");
    tty.stop();
    // The last frame drawn, without escape sequences: one line per bar.
    const plain = text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g"), "");
    const frame = plain.split("\n").slice(-4, -1);
    expect(frame[1]).toMatch(/task #1 aaa \|.*\| ready\s+seg-1 processing$/);
    expect(frame[2]).toMatch(/task #2 bbb \|.*\| ready\s+seg-2 moved from #1$/);
  });
});

describe("plain progress lines when a look-ahead segment is taken over", () => {
  it("says once where it moved and logs its stages again on the new task", () => {
    const { reporter, lines } = plainReporter();
    reporter.segments(2);
    reporter.segmentProgress("#1 aaa", "seg-2", "uploaded");
    reporter.segmentMoved("#1 aaa", "#2 bbb", "seg-2");
    reporter.segmentProgress("#2 bbb", "seg-2", "uploaded");
    reporter.segmentProgress("#2 bbb", "seg-2", "processing", 0);
    reporter.segmentDone("#2 bbb", "seg-2");
    expect(lines()).toEqual([
      "task #1 aaa seg-2 uploaded",
      "seg-2 moved from task #1 aaa to task #2 bbb (an idle task took over this look-ahead)",
      "task #2 bbb seg-2 uploaded",
      "task #2 bbb seg-2 processing 0%",
      "seg-2 done on task #2 bbb (1/2)",
    ]);
  });
});

describe("progress of a real run in which an idle task takes back a look-ahead segment", () => {
  let target: LocalTarget;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cli-takeback-"));
    target = await openLocalTarget({ cluster: "cli-takeback" });
  });
  afterAll(async () => {
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints one line per take-back and finishes the segment on the task that took it", async () => {
    // The shape of the core's own scheduling test: largest first, so the long segment's task
    // holds a look-ahead that the other task, out of work, takes back.
    const shape = [
      { weight: 1, ms: 100 },
      { weight: 1, ms: 100 },
      { weight: 100, ms: 4000 },
      { weight: 1, ms: 100 },
      { weight: 50, ms: 300 },
      { weight: 1, ms: 100 },
    ];
    await mkdir(join(dir, "in"), { recursive: true });
    const segments: Segment[] = [];
    for (const [i, { weight, ms }] of shape.entries()) {
      const path = join(dir, "in", `seg-${i}.bin`);
      await writeFile(path, Buffer.alloc(4096, i));
      segments.push({ id: `seg-${i}`, input: { path }, weight, params: { ms } });
    }
    const { reporter, lines } = plainReporter();
    reporter.segments(segments.length);
    const translator = new EventTranslator(reporter);
    const events: FanoutEvent[] = [];
    const result = await executeParallelBatches({
      segments,
      outputDir: join(dir, "out"),
      cluster: target.cluster,
      taskDefinition: target.taskDefinition,
      launch: { type: "FARGATE" },
      overrides: { environment: { FANOUT_ENABLE_SYNTHETIC: "1" } },
      aws: target.aws,
      pollIntervalMs: 100,
      params: { processor: "synthetic", bytes: 2000 },
      maxParallelTasks: 2,
      segmentsPerBatch: 3,
      onEvent: (event) => {
        events.push(event);
        translator.handle(event);
      },
    });
    expect(result.failed).toBe(0);
    const takenBack = events.filter((e) => e.type === "segment.takenBack");
    expect(takenBack.length).toBeGreaterThanOrEqual(1);
    const out = lines();
    for (const e of takenBack) {
      const from = translator.key(e.fromTaskArn);
      const to = translator.key(e.toTaskArn);
      expect(out.filter((l) => l.startsWith(`${e.segmentId} moved`))).toEqual([
        `${e.segmentId} moved from task ${from} to task ${to} (an idle task took over this look-ahead)`,
      ]);
      expect(out).toContain(`task ${to} ${e.segmentId} uploaded`);
      expect(out.filter((l) => l.startsWith(`${e.segmentId} done`))).toEqual([
        expect.stringMatching(new RegExp(`^${e.segmentId} done on task ${to} \\(\\d/6\\)$`)),
      ]);
    }
    expect(out.filter((l) => / done on task /.test(l)).at(-1)).toMatch(/\(6\/6\)$/);
  }, 90_000);
});
