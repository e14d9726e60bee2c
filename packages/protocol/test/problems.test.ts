import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkSchema, describeSchema, suggestKey } from "../src/index.js";

const options = z.strictObject({
  cluster: z.string().min(1),
  dryRun: z.boolean().optional(),
  attempts: z.number().int().min(1).max(64).default(3),
  ratio: z.number().min(0).max(1).optional(),
  launch: z
    .strictObject({ type: z.enum(["FARGATE", "FARGATE_SPOT"]), fallbackToOnDemand: z.boolean().optional() })
    .optional(),
  segments: z.array(z.strictObject({ id: z.string().regex(/^[a-z]+$/), input: z.string() })).optional(),
  uri: z.string().describe("an s3:// URI").optional(),
});

const problems = (input: unknown) => {
  const r = checkSchema(options, input);
  if (r.ok) throw new Error("expected problems");
  return r.problems;
};

describe("checkSchema", () => {
  it("names an unknown key by its path and suggests the closest known key", () => {
    expect(problems({ cluster: "c", dryRn: true })).toEqual([
      { path: "dryRn", message: 'expected a known key (did you mean "dryRun"?), got "dryRn"' },
    ]);
  });

  it("finds unknown keys at any depth, with no suggestion when nothing is close", () => {
    expect(
      problems({
        cluster: "c",
        launch: { type: "FARGATE", fallbackToOnDemnd: true },
        segments: [{ id: "a", input: "x", zzzzzz: 1 }],
      }),
    ).toEqual([
      {
        path: "launch.fallbackToOnDemnd",
        message: 'expected a known key (did you mean "fallbackToOnDemand"?), got "fallbackToOnDemnd"',
      },
      { path: "segments[0].zzzzzz", message: 'expected a known key, got "zzzzzz"' },
    ]);
  });

  it("reports every problem together in the expected-got voice, with both bounds", () => {
    expect(
      problems({ cluster: "", attempts: 65, ratio: 2, launch: { type: "EC2" }, uri: 3 }).map(
        (p) => `${p.path}: ${p.message}`,
      ),
    ).toEqual([
      'cluster: expected a non-empty string, got ""',
      "attempts: expected an integer from 1 to 64, got 65",
      "ratio: expected a number from 0 to 1, got 2",
      'launch.type: expected one of "FARGATE", "FARGATE_SPOT", got "EC2"',
      "uri: expected an s3:// URI, got 3",
    ]);
  });

  it("says what the input itself should be", () => {
    expect(checkSchema(options, undefined)).toMatchObject({
      ok: false,
      problems: [{ path: "", message: "expected an object, got undefined" }],
    });
  });

  it("applies defaults and returns the parsed value", () => {
    expect(checkSchema(options, { cluster: "c" })).toEqual({
      ok: true,
      value: { cluster: "c", attempts: 3 },
    });
  });

  it("describes schemas in words", () => {
    expect(describeSchema(z.number().int().min(1))).toBe("an integer ≥ 1");
    expect(describeSchema(z.array(z.string()))).toBe("an array of strings");
    expect(describeSchema(z.array(z.string().min(1)).min(1).max(16))).toBe("an array of 1 to 16 items");
    expect(describeSchema(z.array(z.object({})).min(1))).toBe("an array of at least 1 object");
    expect(describeSchema(z.array(z.string()).max(5))).toBe("an array of at most 5 strings");
    expect(describeSchema(z.union([z.literal("a"), z.number()]))).toBe('"a" or a finite number');
  });

  it("suggests keys differing by case or a small typo only", () => {
    expect(suggestKey("DRYRUN", ["dryRun"])).toBe("dryRun");
    expect(suggestKey("maxParalelTasks", ["maxParallelTasks", "outputDir"])).toBe("maxParallelTasks");
    expect(suggestKey("banana", ["maxParallelTasks", "outputDir"])).toBeUndefined();
  });
});
