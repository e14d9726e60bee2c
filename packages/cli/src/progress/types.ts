/**
 * What the CLI shows while a run goes on, independent of how it is drawn: the pipeline
 * and the core's events are translated into these calls, and a TTY or a plain reporter draws them.
 */
export type Phase =
  | "downloading input"
  | "probing"
  | "splitting"
  | "staging"
  | "starting local endpoint"
  | "launching"
  | "processing"
  | "concatenating"
  | "muxing audio"
  | "verifying"
  | "uploading output"
  | "stopping tasks"
  | "done";

/** Draws a run's progress: a TTY with bars, plain lines, or nothing. */
export interface ProgressReporter {
  /** A new step of the pipeline started. */
  phase(phase: Phase, detail?: string): void;
  /** Fraction (0..1) of a phase that reports it, such as splitting. */
  phaseProgress(fraction: number): void;
  /** Bytes moved so far by a transfer phase (downloading the input, staging, uploading the output). */
  transferProgress(done: number, total: number): void;
  /**
   * The core's staging of local segments in S3 (`--stage`), which runs beside launching and
   * processing rather than as a phase of its own: bytes and objects landed so far.
   */
  staging(bytesDone: number, bytesTotal: number, objectsDone: number, objectsTotal: number): void;
  /** How many segments the run has. */
  segments(total: number): void;
  /** A task changed state (launched, RUNNING, ready, STOPPED …). */
  task(taskKey: string, state: string, detail?: string): void;
  /** A segment made progress on a task (fraction of its processing, 0..1). */
  segmentProgress(taskKey: string, segmentId: string, stage: string, fraction?: number): void;
  /**
   * A look-ahead segment that had not started on `fromTaskKey` was taken over by the idle
   * `toTaskKey` (the core's `segment.takenBack`): it is no longer on the first task, and it is not
   * a failed attempt. Its progress on the new task follows as usual.
   */
  segmentMoved(fromTaskKey: string, toTaskKey: string, segmentId: string): void;
  /** A segment's output is on disk. */
  segmentDone(taskKey: string | undefined, segmentId: string): void;
  /** A segment attempt failed; `willRetry` says whether it went back into the queue. */
  segmentFailed(taskKey: string | undefined, segmentId: string, message: string, willRetry: boolean): void;
  /** A notice that must be seen even on a TTY (printed above the bars). */
  note(line: string): void;
  /** Ends the display (restores the cursor on a TTY). */
  stop(): void;
}

/** Shows nothing: `--json` and library callers. */
export const silentReporter: ProgressReporter = {
  phase() {},
  phaseProgress() {},
  transferProgress() {},
  staging() {},
  segments() {},
  task() {},
  segmentProgress() {},
  segmentMoved() {},
  segmentDone() {},
  segmentFailed() {},
  note() {},
  stop() {},
};
