import cliProgress from "cli-progress";
import type { CliStream } from "../io.js";
import { formatBytes } from "../report/format.js";
import { TaskLines } from "./task-lines.js";
import type { Phase, ProgressReporter } from "./types.js";

type Bar = cliProgress.SingleBar;

const OVERALL_FORMAT = "{phase} |{bar}| {shown} {unit} | {elapsed}";
const TASK_FORMAT = "  task {task} |{bar}| {state} {segment}";
const STAGING_FORMAT = "  {task}      |{bar}| {state} {segment}";

/**
 * The TTY view: one overall bar (segments done, or the current phase's own progress before
 * segments exist) and one line per task with its state and current segment.
 */
export class TtyReporter implements ProgressReporter {
  private readonly multibar: cliProgress.MultiBar;
  private readonly overall: Bar;
  /** One bar per task, drawn from {@link lines}. */
  private readonly bars = new Map<string, Bar>();
  /** The staging line (`--stage`), created on the first staging report. */
  private stagingBar: Bar | undefined;
  private readonly lines = new TaskLines();
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private phaseName: Phase = "probing";
  private total = 0;
  private done = 0;
  /** What the current transfer phase has moved, shown instead of segment counts. */
  private bytes: string | undefined;
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
      shown: counting ? `${this.done}/${this.total}` : (this.bytes ?? ""),
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
    this.bytes = undefined;
    if (detail) this.note(`${phase}: ${detail}`);
    if (phase === "launching" || phase === "processing")
      this.refreshOverall(this.done, Math.max(1, this.total));
    else this.refreshOverall(phase === "done" ? 100 : 0, 100);
  }

  phaseProgress(fraction: number): void {
    if (this.phaseName === "processing" || this.phaseName === "launching") return;
    this.refreshOverall(Math.round(Math.min(1, Math.max(0, fraction)) * 100), 100);
  }

  transferProgress(done: number, total: number): void {
    this.bytes = `${formatBytes(done)} of ${formatBytes(total)}`;
    this.phaseProgress(total > 0 ? done / total : 1);
  }

  staging(bytesDone: number, bytesTotal: number, objectsDone: number, objectsTotal: number): void {
    if (this.stopped) return;
    const payload = {
      task: "staging",
      state: `${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`.padEnd(12),
      segment: `${objectsDone}/${objectsTotal} segments in S3`,
    };
    const value = bytesTotal > 0 ? Math.round((bytesDone / bytesTotal) * 100) : 100;
    if (this.stagingBar) this.stagingBar.update(value, payload);
    else this.stagingBar = this.multibar.create(100, value, payload, { format: STAGING_FORMAT });
  }

  segments(total: number): void {
    this.total = total;
  }

  /** Redraws a task's line from the model, creating its bar on first use. */
  private draw(taskKey: string): void {
    if (this.stopped) return;
    const view = this.lines.view(taskKey);
    const payload = { task: taskKey, state: view.state.padEnd(12), segment: view.segment };
    const bar = this.bars.get(taskKey);
    if (bar) bar.update(view.value, payload);
    else this.bars.set(taskKey, this.multibar.create(100, view.value, payload));
  }

  task(taskKey: string, state: string, detail?: string): void {
    this.lines.task(taskKey, state, detail);
    this.draw(taskKey);
  }

  segmentProgress(taskKey: string, segmentId: string, stage: string, fraction?: number): void {
    this.lines.progress(taskKey, segmentId, stage, fraction);
    this.draw(taskKey);
  }

  segmentMoved(fromTaskKey: string, toTaskKey: string, segmentId: string): void {
    this.lines.moved(fromTaskKey, toTaskKey, segmentId);
    if (this.bars.has(fromTaskKey)) this.draw(fromTaskKey);
    this.draw(toTaskKey);
  }

  segmentDone(taskKey: string | undefined, segmentId: string): void {
    this.done += 1;
    this.lines.done(taskKey, segmentId);
    // Any line may have held it (a take-over whose event is still on its way): redraw them all.
    for (const key of this.bars.keys()) this.draw(key);
    if (taskKey && !this.bars.has(taskKey)) this.draw(taskKey);
    this.refreshOverall(this.done, Math.max(1, this.total));
  }

  segmentFailed(taskKey: string | undefined, segmentId: string, message: string, willRetry: boolean): void {
    this.lines.failed(taskKey, segmentId);
    if (taskKey && this.bars.has(taskKey)) this.draw(taskKey);
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
