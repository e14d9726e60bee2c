import { describe, expect, it } from "vitest";
import {
  parseChoice,
  parseDuration,
  parseInteger,
  parseList,
  parsePositiveNumber,
} from "../src/parse/values.js";

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
    expect(parseDuration("--older-than", raw)).toEqual({ ok: true, value: seconds });
  });

  it.each(["", "2 hours", "h", "-5m", "1h-30m", "10x"])(
    "rejects the duration %j in the expected/got voice",
    (raw) => {
      const parsed = parseDuration("--older-than", raw);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problem).toMatch(/^--older-than: expected a duration .*, got /);
    },
  );

  it.each([
    ["4", 4],
    [" 7 ", 7],
  ])("reads the integer %j", (raw, value) => {
    expect(parseInteger("--tasks", raw, { min: 1, max: 100 })).toEqual({ ok: true, value });
  });

  it.each(["0", "101", "2.5", "four", ""])("rejects the integer %j outside 1–100", (raw) => {
    expect(parseInteger("--tasks", raw, { min: 1, max: 100 })).toEqual({
      ok: false,
      problem: `--tasks: expected an integer 1–100, got ${JSON.stringify(raw)}`,
    });
  });

  it("accepts positive decimals and rejects zero and words", () => {
    expect(parsePositiveNumber("--cpu", "0.25")).toEqual({ ok: true, value: 0.25 });
    expect(parsePositiveNumber("--cpu", "0").ok).toBe(false);
    expect(parsePositiveNumber("--cpu", "two").ok).toBe(false);
  });

  it("names the allowed choices when a value is not one of them", () => {
    expect(parseChoice("--processor", "esrgan", ["ffmpeg-scale", "seedvr2"])).toEqual({
      ok: false,
      problem: '--processor: expected one of ffmpeg-scale, seedvr2, got "esrgan"',
    });
  });

  it("splits comma lists and refuses empty items instead of dropping them", () => {
    expect(parseList("--subnets", "subnet-a, subnet-b")).toEqual({
      ok: true,
      value: ["subnet-a", "subnet-b"],
    });
    expect(parseList("--subnets", "subnet-a,,subnet-b").ok).toBe(false);
  });
});
