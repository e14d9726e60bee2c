/**
 * Every error this package throws. Each has a stable `code` so callers branch on
 * `error.code` (or `instanceof`), never on message text.
 */

/** Stable codes of {@link VideoError}, one per failure kind. */
export type VideoErrorCode =
  | "FFMPEG_NOT_FOUND"
  | "FFMPEG_FAILED"
  | "PROBE_FAILED"
  | "SEGMENT_MISMATCH"
  | "FRAME_MISMATCH"
  | "INVALID_VIDEO_OPTIONS";

/** Base class of every error this package throws; branch on `code`. */
export class VideoError extends Error {
  /** Stable across versions, unlike the message. */
  readonly code: VideoErrorCode;

  constructor(code: VideoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One place where a binary was looked for, and why it was not usable there. */
export interface FfmpegSearchAttempt {
  readonly source: "env" | "path" | "npm";
  readonly detail: string;
}

/** Neither FFMPEG_PATH/FFPROBE_PATH, PATH nor the npm packages gave a usable binary. */
export class FfmpegNotFoundError extends VideoError {
  /** Which binary was missing. */
  readonly binary: "ffmpeg" | "ffprobe";
  /** Every place looked, in order, with why it did not work. */
  readonly attempts: readonly FfmpegSearchAttempt[];

  constructor(binary: "ffmpeg" | "ffprobe", attempts: readonly FfmpegSearchAttempt[], cause?: unknown) {
    const envVar = binary === "ffmpeg" ? "FFMPEG_PATH" : "FFPROBE_PATH";
    const npmPackage = binary === "ffmpeg" ? "@ffmpeg-installer/ffmpeg" : "@ffprobe-installer/ffprobe";
    const tried = attempts.map((a) => `  - ${a.source}: ${a.detail}`).join("\n");
    super(
      "FFMPEG_NOT_FOUND",
      `${binary} not found. Set ${envVar} to the executable, put ${binary} on PATH, ` +
        `or install the optional npm package ${npmPackage}.\nTried:\n${tried}`,
      { cause },
    );
    this.binary = binary;
    this.attempts = Object.freeze([...attempts]);
  }
}

/** What {@link FfmpegError} records about a failed run. */
export interface FfmpegErrorDetails {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: readonly string[];
  readonly args: readonly string[];
  /** The executable that was run. */
  readonly command: string;
  readonly cause?: unknown;
}

/** ffmpeg exited non-zero or was killed; the message is its last meaningful stderr lines. */
export class FfmpegError extends VideoError {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string[];
  readonly args: string[];
  readonly command: string;

  constructor(summary: string, details: FfmpegErrorDetails) {
    super("FFMPEG_FAILED", summary, { cause: details.cause });
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = [...details.stderrTail];
    this.args = [...details.args];
    this.command = details.command;
  }
}

/** ffprobe could not read a file, or the file has no video stream. */
export class ProbeError extends VideoError {
  readonly path: string;
  readonly stderrTail: string[];

  constructor(path: string, reason: string, options?: { stderrTail?: readonly string[]; cause?: unknown }) {
    super("PROBE_FAILED", `cannot probe ${path}: ${reason}`, { cause: options?.cause });
    this.path = path;
    this.stderrTail = [...(options?.stderrTail ?? [])];
  }
}

/** What {@link MediaRefusedError} found instead of a video segment. */
export type RefusedKind = "hls" | "dash" | "concat" | "image" | "format";

const REFUSED: Record<RefusedKind, string> = {
  hls: "an HLS playlist (ffmpeg would read the files or URLs it names)",
  dash: "a DASH manifest or other XML (ffmpeg would read the files or URLs it names)",
  concat: "an ffconcat list (ffmpeg would read the files it names)",
  image: "an image (image sequences are not read)",
  format: "a container other than MP4/MOV or Matroska/WebM",
};

/**
 * A file that is not a plain MP4/MOV or Matroska/WebM video: a playlist, an image, or another
 * container. Refused before ffmpeg reads it; a {@link ProbeError}, so it fails the way any
 * unreadable input does.
 */
export class MediaRefusedError extends ProbeError {
  readonly kind: RefusedKind;
  /** ffprobe's name for the container, when it was the container that was refused. */
  readonly formatName: string | undefined;

  constructor(path: string, kind: RefusedKind, formatName?: string) {
    const what = formatName === undefined ? REFUSED[kind] : `${REFUSED[kind]}: ${formatName}`;
    super(path, `refused ${what}; only local MP4/MOV and Matroska/WebM files are read`);
    this.kind = kind;
    this.formatName = formatName;
  }
}

/**
 * A segment (or a processed segment's output) does not have exactly the frames it should: a
 * dropped, duplicated or shifted frame. Never joined silently.
 */
export class FrameMismatchError extends VideoError {
  /** Position of the segment in the video. */
  readonly index: number;
  readonly path: string;
  /** Frames the file must hold (context frames included). */
  readonly expectedFrames: number;
  /** Frames it holds. */
  readonly actualFrames: number;
  /** What differs, e.g. "frame 12 is at 0.520 s, expected 0.480 s". */
  readonly detail: string;

  constructor(details: {
    index: number;
    path: string;
    expectedFrames: number;
    actualFrames: number;
    detail: string;
  }) {
    super("FRAME_MISMATCH", `segment ${details.index} (${details.path}): ${details.detail}`);
    this.index = details.index;
    this.path = details.path;
    this.expectedFrames = details.expectedFrames;
    this.actualFrames = details.actualFrames;
    this.detail = details.detail;
  }
}

/** The stream property in which two segments differ (see {@link SegmentMismatchError}). */
export type SegmentField = "videoCodec" | "size" | "fps" | "pixelFormat" | "audio";

/** Segments given to concatSegments differ in a way stream copy cannot join. */
export class SegmentMismatchError extends VideoError {
  /** Index (in the list given to concatSegments) of the first segment that differs. */
  readonly index: number;
  readonly path: string;
  /** The segment every other one is compared with (the first). */
  readonly referencePath: string;
  readonly field: SegmentField;
  readonly expected: string;
  readonly actual: string;

  constructor(details: {
    index: number;
    path: string;
    referencePath: string;
    field: SegmentField;
    expected: string;
    actual: string;
  }) {
    super(
      "SEGMENT_MISMATCH",
      `segment ${details.index} (${details.path}) differs in ${details.field}: ` +
        `expected ${details.expected} (as ${details.referencePath}), got ${details.actual}`,
    );
    this.index = details.index;
    this.path = details.path;
    this.referencePath = details.referencePath;
    this.field = details.field;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

/** Options that failed validation; every problem is listed, not only the first. */
export class VideoOptionsError extends VideoError {
  readonly operation: string;
  readonly problems: string[];

  constructor(operation: string, problems: readonly string[]) {
    super("INVALID_VIDEO_OPTIONS", `invalid options for ${operation}:\n  - ${problems.join("\n  - ")}`);
    this.operation = operation;
    this.problems = [...problems];
  }
}
