import { z } from "zod";

const count = z.number().int().min(0);
const frameRate = z
  .string()
  .regex(/^\d+(\/\d+)?$/)
  .describe('a frame rate fraction such as "30000/1001"');

/** One segment file written by {@link splitVideo}, as {@link joinSegments} reads it back. */
export const videoSegmentSchema = z.strictObject({
  /** 0-based position in the video. */
  index: count,
  /** Absolute path of the segment file. */
  path: z.string().min(1).describe("a file path"),
  /** Where the segment's own frames start in the source, in seconds. */
  startSeconds: z.number().min(0),
  /** Length of the segment's own frames, in seconds (context frames not counted). */
  durationSeconds: z.number().min(0),
  /** The source frame the segment's own frames start at (0-based). */
  startFrame: count,
  /** How many frames are the segment's own: what the join keeps. */
  frames: z.number().int().min(1),
  /** Context frames at the start of the file, before its own (the previous segment's last ones). */
  contextBefore: count,
  /** Context frames at the end of the file, after its own (the next segment's first ones). */
  contextAfter: count,
  /** The source's frame rate as a fraction, e.g. "30000/1001". */
  fpsFraction: frameRate,
});
/** One segment file written by {@link splitVideo}. */
export type VideoSegment = z.output<typeof videoSegmentSchema>;

/** A frame rate fraction as a number. */
export function fpsOf(fraction: string): number {
  const [num, den = "1"] = fraction.split("/");
  return Number(num) / Number(den);
}
