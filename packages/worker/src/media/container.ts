import { open } from "node:fs/promises";
import { ProcessorError } from "../errors.js";

/**
 * Demuxers an input may be read with: the MP4/MOV family and Matroska/WebM, the formats
 * segments really are. Passed to ffmpeg/ffprobe as `-format_whitelist`.
 */
export const INPUT_FORMATS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm";

/**
 * Input options for every ffmpeg/ffprobe call on an upload: local files only (no http, no
 * playlist following), and only the demuxers above. An HLS or DASH playlist dressed as an .mp4
 * can then neither be opened as a playlist nor reach another file.
 */
export const UNTRUSTED_INPUT_ARGS: readonly string[] = [
  "-protocol_whitelist",
  "file",
  "-format_whitelist",
  INPUT_FORMATS,
];

const MP4_BOXES = new Set(["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid"]);
const EBML = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

/** What the first bytes of a file say it is. */
export function sniffContainer(head: Buffer): { kind: "mp4" | "matroska" } | { kind: "other"; name: string } {
  if (head.length >= 8 && MP4_BOXES.has(head.toString("latin1", 4, 8))) return { kind: "mp4" };
  if (head.subarray(0, 4).equals(EBML)) return { kind: "matroska" };
  const text = head
    .toString("latin1")
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, "")
    .trimStart();
  if (text.startsWith("#EXTM3U") || text.startsWith("#EXT"))
    return { kind: "other", name: "an HLS playlist" };
  if (/<MPD[\s>]/i.test(text)) return { kind: "other", name: "a DASH manifest" };
  if (/^ffconcat/i.test(text) || /^file\s+['"]?[^\s]/m.test(text))
    return { kind: "other", name: "a concat list" };
  if (/^<\?xml|^<[a-z]/i.test(text)) return { kind: "other", name: "an XML document" };
  if (head[0] === 0x47 && head[188] === 0x47) return { kind: "other", name: "an MPEG-TS stream" };
  if (head.subarray(0, 8).equals(Buffer.from("\x89PNG\r\n\x1a\n", "latin1")))
    return { kind: "other", name: "a PNG image" };
  if (head[0] === 0xff && head[1] === 0xd8) return { kind: "other", name: "a JPEG image" };
  if (/^GIF8[79]a/.test(text)) return { kind: "other", name: "a GIF image" };
  return { kind: "other", name: "an unknown format" };
}

/**
 * Refuses anything that is not an MP4/MOV or Matroska/WebM file before ffmpeg sees it:
 * playlists (HLS, DASH, concat) and image sequences fail the job as UNSUPPORTED_MEDIA; bytes
 * no video format recognizes fail as PROBE_FAILED, like an unreadable video.
 */
export async function checkContainer(
  file: string,
  context: { processor: string; jobId: string },
): Promise<void> {
  const handle = await open(file, "r");
  const head = Buffer.alloc(4096);
  let read: number;
  try {
    ({ bytesRead: read } = await handle.read(head, 0, head.length, 0));
  } finally {
    await handle.close();
  }
  const found = sniffContainer(head.subarray(0, read));
  if (found.kind !== "other") return;
  if (found.name === "an unknown format") {
    throw new ProcessorError(
      "PROBE_FAILED",
      "input: Invalid data found when processing input (expected an MP4/MOV or Matroska/WebM file)",
      context,
    );
  }
  throw new ProcessorError(
    "UNSUPPORTED_MEDIA",
    `input: expected an MP4/MOV or Matroska/WebM file, got ${found.name}`,
    context,
  );
}
