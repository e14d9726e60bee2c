import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fillUnknown, queueOrder, resolveWeights } from "../../src/run/order.js";

describe("queue order (FIFO left heavy-tailed runs 12–60 % over the lower bound)", () => {
  it.each([
    { weights: [1, 9, 5], order: "largest-first", expected: [1, 2, 0] },
    { weights: [3, 3, 7, 3], order: "largest-first", expected: [2, 0, 1, 3] },
    { weights: [1, 9, 5], order: "as-given", expected: [0, 1, 2] },
    { weights: [0, 0, 0], order: "largest-first", expected: [0, 1, 2] },
  ] as const)("$order of $weights is $expected", ({ weights, order, expected }) => {
    expect(queueOrder(weights, order)).toEqual(expected);
  });

  it("puts segments of unknown weight in the middle (the mean of the known ones)", () => {
    expect(fillUnknown([10, undefined, 2])).toEqual([10, 6, 2]);
    expect(fillUnknown([undefined, undefined])).toEqual([0, 0]);
  });

  it("weighs path inputs by file size unless the segment gives a weight", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fanout-order-"));
    try {
      await writeFile(join(dir, "a"), Buffer.alloc(100));
      await writeFile(join(dir, "b"), Buffer.alloc(300));
      const seg = (id: string, input: { path: string } | { url: string }, weight?: number) => ({
        id,
        input,
        params: {},
        outputName: id,
        outputPath: join(dir, `${id}.out`),
        weight,
      });
      const weights = await resolveWeights([
        seg("a", { path: join(dir, "a") }),
        seg("b", { path: join(dir, "b") }, 7),
        seg("c", { url: "http://127.0.0.1/x" }),
        seg("d", { path: join(dir, "missing") }),
      ]);
      expect(weights).toEqual([100, 7, 53.5, 53.5]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
