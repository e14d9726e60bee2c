import { rename } from "node:fs/promises";
import path from "node:path";
import { extractAudio, muxAudio, probe } from "@ecs-fanout/video";
import { MP4_AUDIO_CODECS } from "./ffmpeg-scale.js";

/**
 * Puts the source's audio back under a tool's video (SeedVR2 drops audio; Real-ESRGAN's
 * own copy is replaced too so both paths behave the same). Audio an MP4 cannot carry
 * is re-encoded to AAC. Without source audio the tool's video becomes the output as is.
 */
export async function remuxSourceAudio(options: {
  source: string;
  video: string;
  output: string;
  scratchDir: string;
  signal?: AbortSignal;
}): Promise<{ audio: boolean }> {
  const { signal } = options;
  const audio = path.join(options.scratchDir, "source-audio.mka");
  const hasAudio = await extractAudio(options.source, audio, { signal });
  if (!hasAudio) {
    await rename(options.video, options.output);
    return { audio: false };
  }
  const { audioCodec } = await probe(options.source, { signal });
  await muxAudio({
    video: options.video,
    audio,
    output: options.output,
    audioCodec: MP4_AUDIO_CODECS.has(audioCodec ?? "") ? "copy" : "aac",
    signal,
  });
  return { audio: true };
}
