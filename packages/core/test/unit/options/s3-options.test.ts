import { describe, expect, it } from "vitest";
import { type BatchRunOptions, ValidationError } from "../../../src/index.js";
import { parseOptions } from "../../../src/options/check.js";
import { runOptionsSchema } from "../../../src/options/run.js";

const base = { cluster: "c", taskDefinition: "td", network: { subnets: ["subnet-1"] } };
const parse = (o: Record<string, unknown>) =>
  parseOptions(runOptionsSchema, { ...base, ...o } as BatchRunOptions, "run options");

function problemsOf(o: Record<string, unknown>): { path: string; message: string }[] {
  try {
    parse(o);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [...error.problems];
  }
}

const SHA = "a".repeat(64);

describe("S3 run options", () => {
  it("plan S3 inputs, a run-level output prefix and a per-segment override", () => {
    const o = parse({
      segments: [
        { id: "a", input: { s3: "s3://in-bucket/clips/a.mp4", versionId: "v1", sha256: SHA } },
        { id: "b", input: { path: "/in/b.mov" }, output: { s3: "s3://other/exact/b-final.mov" } },
      ],
      outputs: { s3: "s3://out-bucket/run/" },
    });
    expect(o.outputDir).toBeUndefined();
    expect(o.manifest).toBeUndefined();
    expect(o.keepStaged).toBe(false);
    expect(o.segments[0]).toMatchObject({
      input: { s3: { bucket: "in-bucket", key: "clips/a.mp4" }, versionId: "v1", sha256: SHA },
      outputName: "a.mp4",
      outputPath: undefined,
      outputS3: { bucket: "out-bucket", key: "run/a.mp4" },
    });
    expect(o.segments[1]?.outputS3).toEqual({ bucket: "other", key: "exact/b-final.mov" });
  });

  it("stream S3 outputs to outputDir too when both are given, with the manifest there", () => {
    const o = parse({
      segments: [{ id: "a", input: { s3: "s3://in-bucket/a.mp4" } }],
      outputs: { s3: "s3://out-bucket/" },
      outputDir: "/out",
      stage: "s3://stage-bucket/staged/",
      keepStaged: true,
    });
    expect(o.segments[0]).toMatchObject({
      outputPath: "/out/a.mp4",
      outputS3: { bucket: "out-bucket", key: "a.mp4" },
    });
    expect(o.manifest).toBe("/out/ecs-fanout-manifest.jsonl");
    expect(o.stage).toEqual({ bucket: "stage-bucket", key: "staged/" });
    expect(o.keepStaged).toBe(true);
  });

  it("still require outputDir for any output that does not go to S3", () => {
    expect(
      problemsOf({
        segments: [
          { id: "a", input: { path: "/in/a.mp4" }, output: { s3: "s3://b-1/a.mp4" } },
          { id: "b", input: { path: "/in/b.mp4" } },
        ],
      }),
    ).toEqual([
      {
        path: "outputDir",
        message:
          "expected a directory (outputs that do not go to S3 land there), or outputs: { s3 }, got undefined",
      },
    ]);
  });

  it("name each malformed S3 field, in one pass", () => {
    const problems = problemsOf({
      segments: [
        { id: "a", input: { s3: "s3://in-bucket/" } },
        { id: "b", input: { s3: "http://x/y", sha256: "xyz" } },
        { id: "c", input: { s3: "s3://in-bucket/c", versoinId: "1" } },
      ],
      outputs: { s3: "s3://out-bucket/no-slash" },
      stage: "s3://Bad_Bucket/p/",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          path: "segments[0].input.s3",
          message: 'expected an s3:// object URI (s3://bucket/key), got "s3://in-bucket/"',
        },
        {
          path: "segments[1].input.s3",
          message: 'expected an s3:// URI (s3://bucket/key), got "http://x/y"',
        },
        {
          path: "segments[1].input.sha256",
          message: 'expected a SHA-256 as 64 lowercase hex digits, got "xyz"',
        },
        {
          path: "segments[2].input.versoinId",
          message: 'expected a known key (did you mean "versionId"?), got "versoinId"',
        },
        {
          path: "outputs.s3",
          message:
            "expected an s3:// prefix ending in '/' (s3://bucket/prefix/), got \"s3://out-bucket/no-slash\"",
        },
        { path: "stage", message: 'expected a valid S3 bucket name, got "Bad_Bucket"' },
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it("refuse two segments writing the same S3 object", () => {
    expect(
      problemsOf({
        segments: [
          { id: "a", input: { path: "/in/a.mp4" }, outputName: "x.mp4" },
          { id: "b", input: { path: "/in/b.mp4" }, output: { s3: "s3://out-bucket/p/x.mp4" } },
        ],
        outputs: { s3: "s3://out-bucket/p/" },
      }),
    ).toEqual([
      {
        path: "segments[1].output",
        message: 'expected an output object not used by another segment, got "s3://out-bucket/p/x.mp4"',
      },
    ]);
  });
});
