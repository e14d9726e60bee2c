import { rename } from "node:fs/promises";
import { muxAudio, probe } from "@ecs-fanout/video";
import { MP4_AUDIO_CODECS } from "./ffmpeg-scale.js";

/**
 * Puts the source's audio back under a tool's video (SeedVR2 drops audio; Real-ESRGAN's
 * own copy is replaced too so both paths behave the same). Audio an MP4 cannot carry
 * is re-encoded to AAC. Without source audio the tool's video becomes the output as is.
 * The audio is read straight from the source: an intermediate Matroska copy lost AAC's encoder
 * delay and made the output one audio frame longer than the input.
 */
export async function remuxSourceAudio(options: {
  source: string;
  video: string;
  output: string;
  signal?: AbortSignal;
}): Promise<{ audio: boolean }> {
  const { signal } = options;
  const { hasAudio, audioCodec } = await probe(options.source, { signal });
  if (!hasAudio) {
    await rename(options.video, options.output);
    return { audio: false };
  }
  await muxAudio({
    video: options.video,
    audio: options.source,
    output: options.output,
    audioCodec: MP4_AUDIO_CODECS.has(audioCodec ?? "") ? "copy" : "aac",
    signal,
  });
  return { audio: true };
}
