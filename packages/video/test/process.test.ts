import { describe, expect, test } from "vitest";
import { runProcess, summarize } from "../src/process.js";

const node = process.execPath;

describe("runProcess", () => {
  test("collects what a child prints on stdout, whole", async () => {
    const result = await runProcess(node, ["-e", "process.stdout.write('a,1\\n'.repeat(50000))"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBe(200_000);
    expect(result.stdoutOverflow).toBeUndefined();
  });

  test("kills a child that prints without end once stdout passes the cap, and says so", async () => {
    const started = performance.now();
    // coreutils' yes prints its line until it is killed, as a hostile file could make ffprobe do.
    const result = await runProcess("yes", ["0.040000,K__"], { maxStdoutBytes: 1_000_000 });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(result.signal).toBe("SIGKILL");
    expect(result.exitCode).toBeNull();
    expect(result.stdoutOverflow).toBe(1_000_000);
    // Nothing partial is handed on as if it were the whole output.
    expect(result.stdout).toBe("");
    expect(summarize("ffprobe", "yes", result)).toBe(
      "ffprobe printed more than 1000000 bytes on stdout and was stopped",
    );
  });
});
