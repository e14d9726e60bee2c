import { describe, expect, it } from "vitest";
import type { BatchRunOptions } from "../../src/index.js";
import { normalizeRunOptions } from "../../src/run/normalize.js";

const base: BatchRunOptions = {
  segments: [{ id: "a", input: { path: "/in/a.mp4" } }],
  cluster: "c",
  taskDefinition: "td",
  outputDir: "/out",
};

describe("normalizeRunOptions", () => {
  it("fills every default when nothing is given", () => {
    const o = normalizeRunOptions(base);
    expect(o.retry).toEqual({
      segmentAttempts: 3,
      launchRetries: 6,
      awsRetries: 8,
      minBackoffMs: 1000,
      maxBackoffMs: 30_000,
      maxReplacements: undefined,
      downloadResumes: 5,
    });
    expect(o.timeouts.segmentMs).toBe(3_600_000);
    expect(o.apiRate).toEqual({
      modifyPerSecond: 4,
      modifyBurst: 10,
      readPerSecond: 2,
      readBurst: 10,
      otherPerSecond: 5,
      otherBurst: 10,
    });
    expect(o.segments[0]).toMatchObject({ outputName: "a.mp4", outputPath: "/out/a.mp4" });
  });

  it("keeps what is given field by field; an explicit undefined means the default", () => {
    const o = normalizeRunOptions({
      ...base,
      retry: { segmentAttempts: 7, minBackoffMs: undefined, maxReplacements: 0 },
      timeouts: { httpMs: 1234 },
      apiRate: { readBurst: 40 },
    });
    expect(o.retry).toMatchObject({
      segmentAttempts: 7,
      minBackoffMs: 1000,
      maxReplacements: 0,
      awsRetries: 8,
    });
    expect(o.timeouts).toMatchObject({ httpMs: 1234, stopWaitMs: 120_000 });
    expect(o.apiRate).toMatchObject({ readBurst: 40, readPerSecond: 2 });
  });
});
