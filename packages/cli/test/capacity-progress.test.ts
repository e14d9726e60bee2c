import { PassThrough } from "node:stream";
import type { FanoutEvent } from "ecs-fanout";
import { describe, expect, it } from "vitest";
import { EventTranslator } from "../src/progress/events.js";
import { PlainReporter } from "../src/progress/plain.js";

const waiting = (placed: number, wanted: number, gpu = true): FanoutEvent =>
  Object.freeze({ type: "capacity.waiting", placed, wanted, gpu, waitingMs: 61_500, time: 0, runId: "r" });

describe("the capacity progress line", () => {
  it("says how many tasks have GPU capacity while the rest wait, then that all were placed", () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (d: Buffer) => {
      text += d.toString();
    });
    const t = new EventTranslator(new PlainReporter(stream));
    t.handle(waiting(3, 8));
    t.handle(waiting(8, 8));
    t.handle(waiting(1, 2, false));
    const lines = text
      .split("\n")
      .filter(Boolean)
      .map((l) => l.replace(/^\[\s*\d+\.\ds\] /, ""));
    expect(lines).toEqual([
      expect.stringContaining("waiting for GPU capacity: 3 of 8 tasks placed"),
      expect.stringContaining("GPU capacity: all 8 tasks placed after 61.5s"),
      expect.stringContaining("waiting for capacity: 1 of 2 tasks placed"),
    ]);
  });
});
