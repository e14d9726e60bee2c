import { describe, expect, it } from "vitest";
import {
  checkSchema,
  decodeParams,
  encodeParams,
  errorResponseSchema,
  healthResponseSchema,
  infoResponseSchema,
  isValidJobId,
  jobIdSchema,
  jobStatusSchema,
} from "../src/index.js";

const sha = "a".repeat(64);
const succeeded = {
  jobId: "seg-0007.a1",
  status: "succeeded",
  progress: 1,
  processor: "ffmpeg-scale",
  input: { bytes: 10, sha256: sha },
  output: { bytes: 20, sha256: sha, contentType: "video/mp4" },
  timings: { uploadMs: 1, queuedMs: 2, processMs: 3, totalMs: 5 },
  attempts: 1,
};
const info = {
  worker: { name: "@ecs-fanout/worker", version: "0.1.0" },
  runId: "3f0c",
  taskArn: null,
  processors: ["synthetic"],
  slots: 1,
  busy: 0,
  draining: false,
  uptimeSeconds: 12,
};

describe("the job-id rule", () => {
  it.each([
    ["seg-001.a2", true],
    ["A_b.c-9", true],
    ["x".repeat(128), true],
    ["x".repeat(129), false],
    ["", false],
    [".", false],
    ["..", false],
    ["a/b", false],
    ["a%2Fb", false],
    ["ünïcode", false],
  ])("%j is %s", (id, valid) => {
    expect(isValidJobId(id)).toBe(valid);
    expect(jobIdSchema.safeParse(id).success).toBe(valid);
  });

  it("says what a job id must look like", () => {
    const r = checkSchema(jobIdSchema, "..");
    expect(r.problems?.[0]?.message).toMatch(/^expected a job id of 1–128 letters.*got "\.\."$/);
  });
});

describe("the params header", () => {
  it("round-trips an object through base64url JSON, with or without padding", () => {
    const params = { processor: "synthetic", bytes: 3, faults: { corruptOutput: true } };
    const header = encodeParams(params);
    expect(header).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeParams(header)).toEqual({ ok: true, params });
    expect(
      decodeParams(`${Buffer.from(JSON.stringify(params)).toString("base64")}`.replace(/\+/g, "-")),
    ).toEqual({ ok: true, params });
  });

  it("reads a missing or blank header as no params", () => {
    expect(decodeParams(undefined)).toEqual({ ok: true, params: {} });
    expect(decodeParams("  ")).toEqual({ ok: true, params: {} });
  });

  it.each([
    ["not base64url", "a b", /expected base64url, got "a b"/],
    ["not JSON", Buffer.from("{nope").toString("base64url"), /expected base64url JSON/],
    ["an array", encodeParams([] as never), /expected a JSON object, got an array/],
    [
      "a processor that is not a string",
      encodeParams({ processor: 3 } as never),
      /^processor: expected a string, got 3$/,
    ],
  ])("refuses %s", (_name, header, message) => {
    const r = decodeParams(header);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(message)]);
  });
});

describe("response bodies", () => {
  it("accept what the reference worker sends", () => {
    expect(checkSchema(jobStatusSchema, succeeded).ok).toBe(true);
    // `draining` is optional: a worker that predates it still validates.
    expect(checkSchema(jobStatusSchema, { ...succeeded, draining: true }).ok).toBe(true);
    expect(checkSchema(jobStatusSchema, { ...succeeded, draining: "yes" }).ok).toBe(false);
    expect(checkSchema(infoResponseSchema, info).ok).toBe(true);
    expect(checkSchema(healthResponseSchema, { status: "draining" }).ok).toBe(true);
    expect(checkSchema(errorResponseSchema, { error: { code: "X", message: "m", problems: ["p"] } }).ok).toBe(
      true,
    );
  });

  it.each([
    ["an unknown key", { ...succeeded, extra: 1 }, "extra"],
    ["a status nobody knows", { ...succeeded, status: "done" }, "status"],
    [
      "a size that is not a byte count",
      { ...succeeded, output: { ...succeeded.output, bytes: -1 } },
      "output.bytes",
    ],
    [
      "a sha256 in capitals",
      { ...succeeded, input: { bytes: 1, sha256: sha.toUpperCase() } },
      "input.sha256",
    ],
    ["a succeeded job without output", { ...succeeded, output: undefined }, "output"],
    ["a failed job without error", { ...succeeded, status: "failed", output: undefined }, "error"],
    ["a bad job id", { ...succeeded, jobId: "../x" }, "jobId"],
  ])("a job status with %s is a problem at its path", (_name, body, path) => {
    const r = checkSchema(jobStatusSchema, body);
    expect(r.ok).toBe(false);
    expect(r.problems?.map((p) => p.path)).toContain(path);
  });

  it("an info body with a string for slots names the field", () => {
    const r = checkSchema(infoResponseSchema, { ...info, slots: "1" });
    expect(r.problems).toEqual([{ path: "slots", message: expect.stringMatching(/^expected .*got "1"$/) }]);
  });
});
