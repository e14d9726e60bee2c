import type { VideoInfo } from "@ecs-fanout/video";

/** The facts of a video that verification compares. */
export type VideoFacts = Pick<
  VideoInfo,
  | "durationSeconds"
  | "videoDurationSeconds"
  | "width"
  | "height"
  | "fps"
  | "hasAudio"
  | "audioCodec"
  | "sizeBytes"
>;

/**
 * What an upscaled output must be, given its input: `scale` times the size, the same duration
 * to within one frame (container and video stream), the source's audio, and not empty.
 * Returns every problem found (an empty list means the output is good).
 */
export function verifyUpscaled(input: VideoFacts, output: VideoFacts, scale: number): string[] {
  const problems: string[] = [];
  const width = input.width * scale;
  const height = input.height * scale;
  if (output.width !== width || output.height !== height) {
    problems.push(`size: expected ${width}×${height}, got ${output.width}×${output.height}`);
  }
  const frame = input.fps > 0 ? 1 / input.fps : 0.04;
  // A hair of slack for the container's own timestamp rounding (1 ms).
  const tolerance = frame + 0.001;
  const durationGap = Math.abs(output.durationSeconds - input.durationSeconds);
  if (durationGap > tolerance) {
    problems.push(
      `duration: expected ${input.durationSeconds.toFixed(3)}s ± one frame (${frame.toFixed(3)}s), got ${output.durationSeconds.toFixed(3)}s`,
    );
  }
  if (input.videoDurationSeconds !== null && output.videoDurationSeconds !== null) {
    const videoGap = Math.abs(output.videoDurationSeconds - input.videoDurationSeconds);
    if (videoGap > tolerance) {
      problems.push(
        `video stream duration: expected ${input.videoDurationSeconds.toFixed(3)}s ± one frame, got ${output.videoDurationSeconds.toFixed(3)}s`,
      );
    }
  }
  if (input.hasAudio && !output.hasAudio)
    problems.push(`audio: expected the source's ${input.audioCodec} track, got none`);
  else if (input.hasAudio && output.audioCodec !== input.audioCodec) {
    problems.push(`audio: expected codec ${input.audioCodec}, got ${output.audioCodec}`);
  }
  if (!(output.sizeBytes > 0))
    problems.push(`file size: expected more than 0 bytes, got ${output.sizeBytes}`);
  return problems;
}
