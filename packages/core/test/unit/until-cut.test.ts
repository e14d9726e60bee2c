import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { untilCut } from "../../src/util/until-cut.js";

const dir = await mkdtemp(path.join(tmpdir(), "until-cut-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Ten 64 KiB chunks back to back, then the socket is reset. */
async function* cutBody(): AsyncGenerator<Buffer> {
  for (let i = 0; i < 10; i++) yield Buffer.alloc(64 * 1024, i);
  throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
}

describe("untilCut", () => {
  it("writes every chunk that arrived before the body was cut, and hands over the cut", async () => {
    const file = path.join(dir, "cut.bin");
    const cuts: unknown[] = [];
    await pipeline(
      cutBody(),
      untilCut((error) => cuts.push(error)),
      // A large write buffer queues chunks while a write is in flight: the case that lost them.
      createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 }),
    );
    expect((await stat(file)).size).toBe(10 * 64 * 1024);
    expect(cuts).toHaveLength(1);
    expect((cuts[0] as { code?: string }).code).toBe("ECONNRESET");
  });

  it("still fails the pipeline when a later stage throws, without calling onCut", async () => {
    const cuts: unknown[] = [];
    const refuse = new Transform({
      transform(_chunk, _encoding, callback) {
        callback(new Error("more than declared"));
      },
    });
    await expect(
      pipeline(
        cutBody(),
        untilCut((error) => cuts.push(error)),
        refuse,
        createWriteStream(path.join(dir, "refused.bin")),
      ),
    ).rejects.toThrow("more than declared");
    expect(cuts).toEqual([]);
  });
});
