import { open } from "node:fs/promises";
import path from "node:path";
import { MediaRefusedError, type RefusedKind } from "./errors.js";

/**
 * Media files are untrusted: a 100-byte "mp4" can be an HLS playlist that makes ffmpeg read
 * another local file (or a URL) and pass it off as the input. Every ffprobe/ffmpeg call on an
 * input therefore reads local files only, through the demuxers segments really use, and
 * playlists are refused before ffmpeg ever sees them.
 */

/** The only protocol an input may be read through. */
export const ALLOWED_PROTOCOLS = ["file"] as const;

/**
 * ffmpeg's demuxers an input may be read with: the MOV/MP4 family and Matroska/WebM (every name
 * each of the two demuxers answers to, so ffmpeg's probe matches either way).
 */
export const ALLOWED_DEMUXERS = ["mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm"] as const;

/**
 * The input flags for ffmpeg or ffprobe on a file of unknown origin, `-i` included:
 * `-protocol_whitelist file -format_whitelist <ALLOWED_DEMUXERS> -i file:<absolute path>`. The
 * `file:` prefix keeps a name such as "http:x.mp4" from being read as a protocol.
 */
export function untrustedInputArgs(file: string): string[] {
  return [...whitelistArgs(ALLOWED_DEMUXERS), "-i", `file:${path.resolve(file)}`];
}

/** `-protocol_whitelist file -format_whitelist <demuxers>`, for inputs read through another demuxer. */
export function whitelistArgs(demuxers: readonly string[]): string[] {
  return ["-protocol_whitelist", ALLOWED_PROTOCOLS.join(","), "-format_whitelist", demuxers.join(",")];
}

/** How much of a file {@link refuseUnsafeMedia} reads: playlists say what they are in their first line. */
const SNIFF_BYTES = 4096;

/**
 * Throws {@link MediaRefusedError} when the first bytes of `file` are a playlist (HLS, DASH,
 * ffconcat), an image, or any other text — none of which is a video segment. Reads at most 4 KiB,
 * so it is safe to run before anything else looks at the file. A missing file passes: ffprobe
 * reports it.
 */
export async function refuseUnsafeMedia(file: string): Promise<void> {
  let head: Buffer;
  try {
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return;
  }
  const kind = sniff(head);
  if (kind !== undefined) throw new MediaRefusedError(file, kind);
}

/** What the first bytes of a file say it is, when that is something ffmpeg must never open. */
export function sniff(head: Uint8Array): RefusedKind | undefined {
  const text = Buffer.from(head)
    .toString("latin1")
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, "")
    .trimStart();
  if (text.startsWith("#EXTM3U") || text.startsWith("#EXT-X-")) return "hls";
  if (/<MPD[\s>]/.test(text) || /^<\?xml/.test(text)) return "dash";
  if (/^ffconcat\s/i.test(text) || /^file\s+['"]?[^\s]/.test(text)) return "concat";
  if (isImage(head)) return "image";
  return undefined;
}

const IMAGE_MAGIC: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF8
  [0x42, 0x4d], // BMP
  [0x49, 0x49, 0x2a, 0x00], // TIFF, little-endian
  [0x4d, 0x4d, 0x00, 0x2a], // TIFF, big-endian
];

function isImage(head: Uint8Array): boolean {
  return IMAGE_MAGIC.some((magic) => magic.every((byte, i) => head[i] === byte));
}
