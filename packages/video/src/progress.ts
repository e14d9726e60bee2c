/** One progress report of a running ffmpeg, parsed from `-progress pipe:1`. Payloads are frozen. */
export interface FfmpegProgress {
  /** Output time written so far, in seconds. */
  readonly outTimeSeconds: number;
  /** Frames written so far (0 for audio-only work). */
  readonly frame: number;
  /** Encoding speed in frames per second, as ffmpeg reports it (0 when unknown). */
  readonly fps: number;
  /** Speed relative to real time (2 = twice real time; 0 when unknown). */
  readonly speed: number;
  /** outTimeSeconds / durationSeconds clamped to 0..1; only when the duration is known. */
  readonly fraction?: number;
  /** True on the last report (`progress=end`). */
  readonly done: boolean;
}

/**
 * Turns the `key=value` lines of `-progress` into one FfmpegProgress per block.
 * ffmpeg ends every block with `progress=continue` or `progress=end`.
 */
export class ProgressParser {
  #block = new Map<string, string>();
  #pending = "";

  constructor(
    private readonly onProgress: (p: FfmpegProgress) => void,
    private readonly durationSeconds?: number,
  ) {}

  push(chunk: string): void {
    const text = this.#pending + chunk;
    const lines = text.split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) this.#line(line.trim());
  }

  #line(line: string): void {
    const eq = line.indexOf("=");
    if (eq <= 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key !== "progress") {
      this.#block.set(key, value);
      return;
    }
    const block = this.#block;
    this.#block = new Map();
    this.onProgress(toProgress(block, value === "end", this.durationSeconds));
  }
}

function toProgress(block: Map<string, string>, done: boolean, durationSeconds?: number): FfmpegProgress {
  // out_time_us and out_time_ms both carry microseconds (a long-standing ffmpeg quirk).
  const micros = number(block.get("out_time_us")) ?? number(block.get("out_time_ms"));
  const outTimeSeconds =
    micros !== undefined ? Math.max(0, micros / 1e6) : (clock(block.get("out_time")) ?? 0);
  const progress: FfmpegProgress = {
    outTimeSeconds,
    frame: number(block.get("frame")) ?? 0,
    fps: number(block.get("fps")) ?? 0,
    speed: number(block.get("speed")?.replace(/x$/, "")) ?? 0,
    done,
    ...(durationSeconds !== undefined && durationSeconds > 0
      ? { fraction: done ? 1 : Math.min(1, Math.max(0, outTimeSeconds / durationSeconds)) }
      : {}),
  };
  return Object.freeze(progress);
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value === "" || value === "N/A") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses "HH:MM:SS.micro" as seconds. */
function clock(value: string | undefined): number | undefined {
  const match = value?.match(/^(-)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/);
  if (!match) return undefined;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
  return match[1] ? 0 : seconds;
}
