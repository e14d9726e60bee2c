import path from "node:path";
import { FfmpegError, type FfmpegProgress, runFfmpeg } from "@ecs-fanout/video";
import { describe, expect, test } from "vitest";
import { tempDir } from "./helpers.js";

const lavfiClip = (seconds: number) => [
  "-f",
  "lavfi",
  "-i",
  `testsrc2=size=320x180:rate=25:duration=${seconds}`,
];

describe("runFfmpeg", () => {
  test("reports progress with increasing output times and a final fraction of 1", async () => {
    const events: FfmpegProgress[] = [];
    // -re paces the input at real time so several reports arrive during a 1.5 s clip.
    await runFfmpeg(["-re", ...lavfiClip(1.5), "-f", "null", "-"], {
      durationSeconds: 1.5,
      progressIntervalSeconds: 0.1,
      onProgress: (p) => events.push(p),
    });
    expect(events.length).toBeGreaterThanOrEqual(4);
    const times = events.map((e) => e.outTimeSeconds);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] ?? 0);
    expect(times.at(-1)).toBeGreaterThan(times[0] ?? 0);
    expect(times.at(-1)).toBeCloseTo(1.5, 1);
    expect(events.at(-1)).toMatchObject({ done: true, fraction: 1, frame: 38 });
    expect(events.every((e) => e.fraction !== undefined && e.fraction >= 0 && e.fraction <= 1)).toBe(true);
    expect(Object.isFrozen(events[0])).toBe(true);
  });

  test("fails with FfmpegError carrying the exit code and ffmpeg's last stderr lines", async () => {
    const dir = await tempDir("run");
    const missing = path.join(dir, "does-not-exist.mp4");
    const error = await runFfmpeg(["-i", missing, "-f", "null", "-"]).catch((e) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect(error.code).toBe("FFMPEG_FAILED");
    expect(error.exitCode).not.toBe(0);
    expect(error.stderrTail.join("\n")).toContain("No such file or directory");
    expect(error.message).toContain("No such file or directory");
    expect(error.args).toContain(missing);
  });

  test("fails with FfmpegError when the executable cannot be started", async () => {
    const error = await runFfmpeg(["-version"], { ffmpegPath: "/nonexistent/ffmpeg" }).catch((e) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect(error.message).toContain("could not start ffmpeg");
  });

  test("kills ffmpeg and rejects with the abort reason when the signal aborts", async () => {
    const controller = new AbortController();
    let pid: number | undefined;
    const started = Date.now();
    const run = runFfmpeg(["-re", ...lavfiClip(30), "-f", "null", "-"], {
      signal: controller.signal,
      progressIntervalSeconds: 0.1,
      onSpawn: (p) => {
        pid = p;
      },
      onProgress: () => controller.abort(new Error("user cancelled")),
    });
    await expect(run).rejects.toThrow("user cancelled");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(pid).toBeTypeOf("number");
    // The child has exited (and been reaped) by the time the promise rejects.
    expect(() => process.kill(pid ?? -1, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
  });

  test("does not start ffmpeg when the signal is already aborted", async () => {
    let spawned = false;
    const run = runFfmpeg(["-version"], {
      signal: AbortSignal.abort(new Error("too late")),
      onSpawn: () => {
        spawned = true;
      },
    });
    await expect(run).rejects.toThrow("too late");
    expect(spawned).toBe(false);
  });
});
