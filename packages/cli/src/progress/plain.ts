import { type CliStream, println } from "../io.js";
import { formatBytes } from "../report/format.js";
import type { Phase, ProgressReporter } from "./types.js";

/**
 * Progress as plain lines for logs and pipes: one line per state change, and segment progress
 * only at quarter steps so a long run does not flood the log.
 */
export class PlainReporter implements ProgressReporter {
  private readonly started = Date.now();
  private total = 0;
  private done = 0;
  /** Last quarter logged per segment and stage; forgotten when the segment starts over elsewhere. */
  private readonly lastQuarter = new Map<string, Map<string, number>>();
  private lastPhaseTenth = -1;
  private lastStagingQuarter = -1;

  constructor(private readonly stream: CliStream) {}

  private line(text: string): void {
    const t = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6);
    println(this.stream, `[${t}s] ${text}`);
  }

  phase(phase: Phase, detail?: string): void {
    this.lastPhaseTenth = -1;
    this.line(detail ? `${phase}: ${detail}` : phase);
  }

  phaseProgress(fraction: number): void {
    const tenth = Math.floor(Math.min(1, Math.max(0, fraction)) * 4);
    if (tenth <= this.lastPhaseTenth) return;
    this.lastPhaseTenth = tenth;
    if (tenth > 0 && tenth < 4) this.line(`  ${tenth * 25}%`);
  }

  transferProgress(done: number, total: number): void {
    // Quarter steps, like the other phases, but in bytes; the end is the next phase's line.
    const quarter = Math.floor((total > 0 ? done / total : 1) * 4);
    if (quarter <= this.lastPhaseTenth) return;
    this.lastPhaseTenth = quarter;
    if (quarter < 4) this.line(`  ${formatBytes(done)} of ${formatBytes(total)}`);
    else this.line(`  ${formatBytes(total)} done`);
  }

  staging(bytesDone: number, bytesTotal: number, objectsDone: number, objectsTotal: number): void {
    const quarter = Math.floor((bytesTotal > 0 ? bytesDone / bytesTotal : 1) * 4);
    if (quarter <= this.lastStagingQuarter) return;
    this.lastStagingQuarter = quarter;
    this.line(
      `staging in S3: ${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)} (${objectsDone}/${objectsTotal} segments)`,
    );
  }

  segments(total: number): void {
    this.total = total;
  }

  task(taskKey: string, state: string, detail?: string): void {
    this.line(`task ${taskKey} ${state}${detail ? ` ${detail}` : ""}`);
  }

  segmentProgress(taskKey: string, segmentId: string, stage: string, fraction?: number): void {
    let stages = this.lastQuarter.get(segmentId);
    if (!stages) {
      stages = new Map();
      this.lastQuarter.set(segmentId, stages);
    }
    const quarter = fraction === undefined ? 0 : Math.floor(fraction * 4);
    const last = stages.get(stage);
    if (last !== undefined && quarter <= last) return;
    stages.set(stage, quarter);
    const pct = fraction === undefined ? "" : ` ${Math.round(fraction * 100)}%`;
    this.line(`task ${taskKey} ${segmentId} ${stage}${pct}`);
  }

  segmentMoved(fromTaskKey: string, toTaskKey: string, segmentId: string): void {
    // Its stages start over on the new task: without this its "uploaded" there would be skipped.
    this.lastQuarter.delete(segmentId);
    this.line(
      `${segmentId} moved from task ${fromTaskKey} to task ${toTaskKey} (an idle task took over this look-ahead)`,
    );
  }

  segmentDone(taskKey: string | undefined, segmentId: string): void {
    this.done += 1;
    this.line(`${segmentId} done on task ${taskKey ?? "?"} (${this.done}/${this.total || "?"})`);
  }

  segmentFailed(taskKey: string | undefined, segmentId: string, message: string, willRetry: boolean): void {
    // A retry logs its stages again, from the start.
    this.lastQuarter.delete(segmentId);
    this.line(`${segmentId} failed on task ${taskKey ?? "?"}${willRetry ? " (will retry)" : ""}: ${message}`);
  }

  note(line: string): void {
    println(this.stream, line);
  }

  stop(): void {}
}
