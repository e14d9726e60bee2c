import { describe, expect, test } from "vitest";
import { type FfmpegProgress, ProgressParser } from "../src/progress.js";

describe("ProgressParser", () => {
  test("emits one report per block even when lines arrive split across chunks", () => {
    const events: FfmpegProgress[] = [];
    const parser = new ProgressParser((p) => events.push(p), 4);
    parser.push("frame=0\nfps=0.00\nout_time_us=N/A\nout_time=N/A\nspeed=N/A\nprogress=cont");
    parser.push("inue\nframe=50\nfps=49.5\nout_time_us=2000000\nspeed=1.98x\nprogress=continue\n");
    parser.push("frame=100\nfps=50\nout_time_us=4000000\nspeed=2x\nprogress=end\n");
    expect(events).toEqual([
      { outTimeSeconds: 0, frame: 0, fps: 0, speed: 0, fraction: 0, done: false },
      { outTimeSeconds: 2, frame: 50, fps: 49.5, speed: 1.98, fraction: 0.5, done: false },
      { outTimeSeconds: 4, frame: 100, fps: 50, speed: 2, fraction: 1, done: true },
    ]);
  });

  test("reads out_time when out_time_us is missing and omits fraction without a duration", () => {
    const events: FfmpegProgress[] = [];
    const parser = new ProgressParser((p) => events.push(p));
    parser.push("out_time=00:01:02.500000\nprogress=continue\n");
    expect(events).toEqual([{ outTimeSeconds: 62.5, frame: 0, fps: 0, speed: 0, done: false }]);
  });
});
