import cliProgress from "cli-progress";
import type { CliStream } from "../io.js";
import type { Phase, ProgressReporter } from "./types.js";

type Bar = cliProgress.SingleBar;

interface TaskLine {
  bar: Bar;
  state: string;
  segment: string;
}

const OVERALL_FORMAT = "{phase} |{bar}| {shown} {unit} | {elapsed}";
const TASK_FORMAT = "  task {task} |{bar}| {state} {segment}";

/**
 * The TTY view: one overall bar (segments done, or the current phase's own progress before
 * segments exist) and one line per task with its state and current segment.
 */
export class TtyReporter implements ProgressReporter {
  private readonly multibar: cliProgress.MultiBar;
  private readonly overall: Bar;
  private readonly tasks = new Map<string, TaskLine>();
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private phaseName: Phase = "probing";
  private total = 0;
  private done = 0;
  private stopped = false;

  constructor(stream: CliStream) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
        format: TASK_FORMAT,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        gracefulExit: false,
        fps: 8,
        barCompleteChar: "█",
        barIncompleteChar: "░",
      },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multibar.create(100, 0, this.overallPayload(), { format: OVERALL_FORMAT });
    // The elapsed time keeps moving while nothing else does (e.g. tasks provisioning).
    this.timer = setInterval(() => this.refreshOverall(), 500);
    this.timer.unref();
  }

  private overallPayload(): Record<string, string> {
    const elapsed = `${((Date.now() - this.started) / 1000).toFixed(0)}s`;
    const counting = this.total > 0 && (this.phaseName === "processing" || this.phaseName === "launching");
    return {
      phase: this.phaseName.padEnd(17),
      shown: counting ? `${this.done}/${this.total}` : "",
      unit: counting ? "segments" : "",
      elapsed,
    };
  }

  private refreshOverall(value?: number, total?: number): void {
    if (this.stopped) return;
    if (total !== undefined) this.overall.setTotal(total);
    if (value !== undefined) this.overall.update(value, this.overallPayload());
    else this.overall.update(this.overallPayload());
  }

  phase(phase: Phase, detail?: string): void {
    this.phaseName = phase;
    if (detail) this.note(`${phase}: ${detail}`);
    if (phase === "launching" || phase === "processing")
      this.refreshOverall(this.done, Math.max(1, this.total));
    else this.refreshOverall(phase === "done" ? 100 : 0, 100);
  }

  phaseProgress(fraction: number): void {
    if (this.phaseName === "processing" || this.phaseName === "launching") return;
    this.refreshOverall(Math.round(Math.min(1, Math.max(0, fraction)) * 100), 100);
  }

  segments(total: number): void {
    this.total = total;
  }

  private line(taskKey: string): TaskLine {
    let line = this.tasks.get(taskKey);
    if (!line) {
      const bar = this.multibar.create(100, 0, { task: taskKey, state: "", segment: "" });
      line = { bar, state: "", segment: "" };
      this.tasks.set(taskKey, line);
    }
    return line;
  }

  task(taskKey: string, state: string, detail?: string): void {
    if (this.stopped) return;
    const line = this.line(taskKey);
    line.state = state;
    if (state === "STOPPED") line.segment = detail ?? "";
    line.bar.update({ task: taskKey, state: line.state.padEnd(12), segment: line.segment });
  }

  segmentProgress(taskKey: string, segmentId: string, stage: string, fraction?: number): void {
    if (this.stopped) return;
    const line = this.line(taskKey);
    line.segment = `${segmentId} ${stage}`;
    const payload = { task: taskKey, state: line.state.padEnd(12), segment: line.segment };
    if (fraction === undefined) line.bar.update(payload);
    else line.bar.update(Math.round(fraction * 100), payload);
  }

  segmentDone(taskKey: string | undefined, segmentId: string): void {
    this.done += 1;
    if (taskKey && !this.stopped) {
      const line = this.line(taskKey);
      line.segment = `${segmentId} done`;
      line.bar.update(100, { task: taskKey, state: line.state.padEnd(12), segment: line.segment });
    }
    this.refreshOverall(this.done, Math.max(1, this.total));
  }

  segmentFailed(taskKey: string | undefined, segmentId: string, message: string, willRetry: boolean): void {
    this.note(`${segmentId} failed on task ${taskKey ?? "?"}${willRetry ? " (will retry)" : ""}: ${message}`);
  }

  note(line: string): void {
    if (this.stopped) return;
    this.multibar.log(`${line}\n`);
  }

  stop(): void {
    if (this.stopped) return;
    this.refreshOverall();
    this.stopped = true;
    clearInterval(this.timer);
    this.multibar.stop();
  }
}
