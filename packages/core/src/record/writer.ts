import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { FanoutEvent } from "../events.js";
import type { Logger } from "../logger.js";

/** The manifest's file name inside `outputDir` when no path is given. */
export const MANIFEST_NAME = "ecs-fanout-manifest.jsonl";
/** The longest manifest line a reader accepts, and so the longest a writer writes. */
export const MAX_LINE_BYTES = 256 * 1024;
/** Longer strings (a worker's error message, a stop reason) are clipped: a line stays well under the bound. */
const MAX_STRING = 4096;

/** Events after which the manifest is synced to disk: a settled segment, a stopped task, the end. */
const SYNC_AFTER: ReadonlySet<FanoutEvent["type"]> = new Set([
  "segment.downloaded",
  "segment.failed",
  "task.stopped",
  // An open upload is what a resume must abort: its line must outlive a power loss too.
  "multipart.opened",
  "run.metrics",
]);

const clip = (_key: string, value: unknown): unknown =>
  typeof value === "string" && value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;

/** The manifest line of an event, or undefined for events that are not recorded (progress, the in-memory result). */
export function manifestLineOf(event: FanoutEvent): string | undefined {
  if (
    event.type === "segment.progress" ||
    event.type === "capacity.waiting" ||
    event.type === "stage.progress" ||
    event.type === "run.finished"
  )
    return undefined;
  return `${JSON.stringify(event, clip)}\n`;
}

/**
 * Appends one JSON line per event to the run's manifest. Each line is one `write(2)` on a file
 * opened O_APPEND, so a `kill -9` leaves at worst a torn last line (which readers ignore); the
 * file is fsynced after each settled segment, so what the run reported done survives a power
 * loss too. A failing disk never fails the run: the first error is logged and recording stops
 * (a resume then redoes what the manifest does not prove done).
 */
export class ManifestWriter {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly logger: Logger,
  ) {
    this.fd = fd;
  }

  static open(path: string, logger: Logger): ManifestWriter {
    mkdirSync(dirname(path), { recursive: true });
    return new ManifestWriter(path, openSync(path, "a", 0o600), logger);
  }

  write(event: FanoutEvent): void {
    if (this.fd === undefined) return;
    const line = manifestLineOf(event);
    if (line === undefined) return;
    try {
      const bytes = Buffer.from(line, "utf8");
      if (bytes.length > MAX_LINE_BYTES) {
        this.logger.warn("manifest line too long; not recorded", { type: event.type, bytes: bytes.length });
        return;
      }
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
      if (SYNC_AFTER.has(event.type)) fsyncSync(this.fd);
    } catch (error) {
      this.logger.warn("writing the manifest failed; recording stops", {
        path: this.path,
        error: String(error),
      });
      this.close();
    }
  }

  /** Syncs and closes; idempotent. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } catch {
      // closing anyway
    }
    closeSync(fd);
  }
}
