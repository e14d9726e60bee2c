import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { PlainReporter } from "../src/progress/plain.js";
import { TtyReporter } from "../src/progress/tty.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d: Buffer) => {
    text += d.toString();
  });
  return { stream, text: () => text };
}

/** The plain reporter's lines without their elapsed-time prefix. */
const plainLines = (text: string): string[] =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/^\[\s*\d+\.\ds\] /, ""));

describe("progress of a transfer phase (downloading the input, uploading the output)", () => {
  it("prints plain lines at quarter steps, in bytes, and once at the end", () => {
    const out = capture();
    const reporter = new PlainReporter(out.stream);
    reporter.phase("uploading output", "s3://media/out.mp4 (8.0 MiB)");
    const mib = 1024 * 1024;
    for (let done = 0; done <= 8 * mib; done += mib / 4) reporter.transferProgress(done, 8 * mib);
    const lines = plainLines(out.text());
    expect(lines).toEqual([
      "uploading output: s3://media/out.mp4 (8.0 MiB)",
      "  0 B of 8.0 MiB",
      "  2.0 MiB of 8.0 MiB",
      "  4.0 MiB of 8.0 MiB",
      "  6.0 MiB of 8.0 MiB",
      "  8.0 MiB done",
    ]);
  });

  it("shows the bytes moved on the TTY's overall bar", async () => {
    const out = capture();
    const stream = Object.assign(out.stream, { isTTY: true, columns: 120 });
    const reporter = new TtyReporter(stream);
    reporter.phase("downloading input");
    reporter.transferProgress(3 * 1024 * 1024, 4 * 1024 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 300));
    reporter.stop();
    expect(out.text()).toMatch(/downloading input .*3\.0 MiB of 4\.0 MiB/);
  });

  it("reports staging beside the other phases: plain quarter steps with segment counts", () => {
    const out = capture();
    const reporter = new PlainReporter(out.stream);
    reporter.phase("launching");
    reporter.staging(0, 4000, 0, 4);
    reporter.staging(1000, 4000, 1, 4);
    reporter.staging(1500, 4000, 1, 4);
    reporter.staging(4000, 4000, 4, 4);
    const lines = plainLines(out.text());
    expect(lines).toEqual([
      "launching",
      "staging in S3: 0 B of 3.9 KiB (0/4 segments)",
      "staging in S3: 1000 B of 3.9 KiB (1/4 segments)",
      "staging in S3: 3.9 KiB of 3.9 KiB (4/4 segments)",
    ]);
  });
});
