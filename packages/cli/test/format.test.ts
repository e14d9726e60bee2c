import { describe, expect, it } from "vitest";
import { formatSeconds, formatUsd, shortArn } from "../src/report/format.js";
import { renderPairs, renderTable } from "../src/report/table.js";

describe("report formatting", () => {
  it("shows sub-cent costs with three significant digits rather than $0.00", () => {
    expect(formatUsd(0.0012345)).toBe("$0.00123");
    expect(formatUsd(0.5)).toBe("$0.5");
    expect(formatUsd(12.3456)).toBe("$12.346");
    expect(formatUsd(undefined)).toBe("–");
  });

  it("shows seconds, minutes and hours compactly", () => {
    expect(formatSeconds(4.25)).toBe("4.3s");
    expect(formatSeconds(125)).toBe("2m05s");
    expect(formatSeconds(3 * 3600 + 60 * 7)).toBe("3h07m");
  });

  it("names a task by the start of its id", () => {
    expect(shortArn("arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123")).toBe(
      "0123456789ab",
    );
  });

  it("aligns table columns, figures to the right", () => {
    const table = renderTable(
      [
        { header: "task", value: (r: { t: string; n: number }) => r.t },
        { header: "segments", value: (r) => String(r.n), align: "right" },
      ],
      [
        { t: "a", n: 1 },
        { t: "bbbbb", n: 12 },
      ],
    );
    expect(table.split("\n")).toEqual([
      "task   segments",
      "─────  ────────",
      "a             1",
      "bbbbb        12",
    ]);
  });

  it("pads labels of pairs to one width", () => {
    expect(
      renderPairs([
        ["a", "1"],
        ["long", "2"],
      ]),
    ).toBe("a     1\nlong  2");
  });
});
