/** The frames of one segment: its own, and those its file holds (own plus context). */
export interface FrameRange {
  index: number;
  /** First own frame (source frame index). */
  start: number;
  /** One past the last own frame. */
  end: number;
  /** First frame in the file: `start` minus the context before. */
  fileStart: number;
  /** One past the last frame in the file: `end` plus the context after. */
  fileEnd: number;
}

/**
 * Cuts a video whose frames are shown at `times` (seconds, sorted) into segments of
 * `segmentSeconds`: segment i starts at the first frame shown at or after i × segmentSeconds
 * (less half a frame, so rounding never pushes a cut to the next frame). Every frame belongs to
 * exactly one segment; each file adds up to `overlapFrames` neighbours on either side.
 */
export function planSegments(
  times: readonly number[],
  segmentSeconds: number,
  overlapFrames: number,
  fps: number,
): FrameRange[] {
  const t0 = times[0] ?? 0;
  const half = 1 / (2 * fps);
  const starts = [0];
  let k = 0;
  for (let i = 1; ; i++) {
    const boundary = i * segmentSeconds - half;
    while (k < times.length && (times[k] ?? 0) - t0 < boundary) k++;
    if (k >= times.length) break;
    if (k > (starts.at(-1) ?? 0)) starts.push(k);
  }
  return starts.map((start, index) => {
    const end = starts[index + 1] ?? times.length;
    return {
      index,
      start,
      end,
      fileStart: Math.max(0, start - overlapFrames),
      fileEnd: Math.min(times.length, end + overlapFrames),
    };
  });
}
