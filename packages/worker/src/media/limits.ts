import type { VideoInfo } from "@ecs-fanout/video";
import type { WorkerConfig } from "../config.js";
import { ProcessorError } from "../errors.js";

/**
 * The per-job caps on what an input may claim (FANOUT_MAX_PIXELS_PER_FRAME,
 * FANOUT_MAX_DURATION_SECONDS, FANOUT_MAX_FRAMES): a tiny file claiming ten hours or an
 * 8192² frame fails at once instead of holding a slot (and memory) until a deadline.
 */
export function checkMediaLimits(
  info: Pick<VideoInfo, "width" | "height" | "durationSeconds" | "frames">,
  config: Pick<WorkerConfig, "maxPixelsPerFrame" | "maxDurationSeconds" | "maxFrames">,
  context: { processor: string; jobId: string },
): void {
  const pixels = info.width * info.height;
  if (pixels > config.maxPixelsPerFrame) {
    throw new ProcessorError(
      "MEDIA_TOO_LARGE",
      `input: expected at most ${config.maxPixelsPerFrame} pixels per frame (FANOUT_MAX_PIXELS_PER_FRAME), got ${info.width}×${info.height} = ${pixels}`,
      context,
    );
  }
  if (info.durationSeconds > config.maxDurationSeconds) {
    throw new ProcessorError(
      "MEDIA_TOO_LONG",
      `input: expected at most ${config.maxDurationSeconds} s (FANOUT_MAX_DURATION_SECONDS), got ${info.durationSeconds} s`,
      context,
    );
  }
  if (info.frames > config.maxFrames) {
    throw new ProcessorError(
      "MEDIA_TOO_LONG",
      `input: expected at most ${config.maxFrames} frames (FANOUT_MAX_FRAMES), got ${info.frames}`,
      context,
    );
  }
}
