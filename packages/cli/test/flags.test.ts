import { describe, expect, it } from "vitest";
import { z } from "zod";
import { UsageError } from "../src/errors.js";
import { costOptionsSchema } from "../src/parse/cost-options.js";
import { checkFlags, durationFlag, flagName, integerFlag, listFlag } from "../src/parse/flags.js";
import { localFlags } from "../src/parse/local-options.js";
import { runFlags } from "../src/parse/run-options.js";
import { cleanupFlags, lsFlags } from "../src/parse/task-options.js";
import { createProgram } from "../src/program.js";
import { memoryIo } from "./support/io.js";

/** The problems `checkFlags` reports for `raw`, as the lines the user reads. */
function problems(schema: z.ZodType, raw: Record<string, unknown>): string[] {
  try {
    checkFlags("test", schema, raw);
    return [];
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

/** The value one flag's schema makes of `raw`. */
function value(schema: z.ZodType, raw: unknown): unknown {
  return (checkFlags("test", z.strictObject({ v: schema }), { v: raw }) as { v: unknown }).v;
}

describe("option values", () => {
  it.each([
    ["90s", 90],
    ["30m", 1800],
    ["2h", 7200],
    ["1h30m", 5400],
    ["1d", 86_400],
    ["45", 45],
    ["1.5h", 5400],
  ])("reads the duration %s as %i seconds", (raw, seconds) => {
    expect(value(durationFlag, raw)).toBe(seconds);
  });

  it.each(["", "2 hours", "h", "-5m", "1h-30m", "10x"])(
    "rejects the duration %j in the expected/got voice",
    (raw) => {
      expect(problems(z.strictObject({ olderThan: durationFlag }), { olderThan: raw })).toEqual([
        `--older-than: expected a duration such as 90s, 30m, 2h or 1h30m, got ${JSON.stringify(raw)}`,
      ]);
    },
  );

  it.each([
    ["4", 4],
    [" 7 ", 7],
  ])("reads the integer %j", (raw, n) => {
    expect(value(integerFlag(1, 100), raw)).toBe(n);
  });

  it.each(["0", "101", "2.5", "four", "", "1e2", "0x10"])(
    "rejects the integer %j outside 1 to 100",
    (raw) => {
      expect(problems(z.strictObject({ maxTasks: integerFlag(1, 100) }), { maxTasks: raw })).toEqual([
        `--max-tasks: expected an integer from 1 to 100, got ${JSON.stringify(raw)}`,
      ]);
    },
  );

  it("splits comma lists and refuses empty items instead of dropping them", () => {
    expect(value(listFlag, "subnet-a, subnet-b")).toEqual(["subnet-a", "subnet-b"]);
    expect(problems(z.strictObject({ subnets: listFlag }), { subnets: "subnet-a,,subnet-b" })).toEqual([
      '--subnets: expected a comma-separated list such as subnet-a,subnet-b, got "subnet-a,,subnet-b"',
    ]);
  });

  it("names option keys as the flags the user typed", () => {
    expect(flagName("segmentSeconds")).toBe("--segment-seconds");
    expect(flagName("input")).toBe("<input>");
  });
});

describe("the option schemas", () => {
  const schemas: Record<string, z.ZodType> = {
    run: runFlags,
    ls: lsFlags,
    cleanup: cleanupFlags,
    cost: costOptionsSchema({ region: "us-east-1" }),
    local: localFlags,
  };

  it("know every option commander declares, so none is dropped unchecked", () => {
    const program = createProgram(memoryIo({ home: "/nonexistent" }), () => {});
    for (const command of program.commands) {
      const schema = schemas[command.name()];
      expect(schema, command.name()).toBeDefined();
      const keys = command.options.map((o) => o.attributeName());
      // A key the schema does not define is an unknown-key problem; none may come back.
      const raw = Object.fromEntries(keys.map((k) => [k, undefined]));
      expect(
        problems(schema!, raw).filter((p) => p.includes("known key")),
        command.name(),
      ).toEqual([]);
    }
  });

  it("reject a key they do not define, with the closest known one", () => {
    expect(problems(lsFlags, { clustr: "a" })).toEqual([
      '--clustr: expected a known key (did you mean "cluster"?), got "clustr"',
    ]);
  });

  it("apply each default once, from the schema", () => {
    expect(checkFlags("ls", lsFlags, {})).toEqual({
      cluster: "ecs-fanout",
      startedBy: "ecs-fanout",
      local: false,
      json: false,
    });
    expect(checkFlags("local", localFlags, {})).toEqual({ port: 0, cluster: "ecs-fanout" });
  });
});
