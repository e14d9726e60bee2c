import { freeBytes } from "../storage.js";

/** Accepting an upload (or its next bytes) would eat into the disk reserve. */
export class NoRoomError extends Error {
  constructor(
    readonly free: number,
    readonly need: number,
    readonly reserve: number,
  ) {
    super(`disk: expected ${need} bytes plus the ${reserve}-byte reserve to be free, got ${free}`);
  }
}

/** The bytes one upload holds against the disk: what it declared (or has grown to), minus what it wrote. */
export interface Reservation {
  /** Counts bytes written; a chunked upload grows its reservation as it goes. */
  wrote(bytes: number): Promise<void>;
  /** Gives back what is left (the upload ended, whatever the outcome). */
  release(): void;
}

/**
 * Keeps concurrent uploads from each checking free space as if they were alone: every
 * in-flight upload holds the bytes it still has to write, and a new one only fits in what is
 * left above the reserve. Without a declared length, an upload reserves `growBy` at a time.
 */
export class DiskBudget {
  private readonly live = new Set<{ reserved: number; written: number }>();

  constructor(
    private readonly dir: string,
    private readonly minFreeBytes: number,
    private readonly growBy = 8 * 1024 ** 2,
    private readonly free: (dir: string) => Promise<number> = freeBytes,
  ) {}

  /** Bytes promised to uploads and not written yet. */
  get outstanding(): number {
    let sum = 0;
    for (const r of this.live) sum += Math.max(0, r.reserved - r.written);
    return sum;
  }

  /** @throws {@link NoRoomError} when `declared` bytes do not fit above the reserve. */
  async reserve(declared: number | undefined): Promise<Reservation> {
    const entry = { reserved: 0, written: 0 };
    await this.take(entry, declared ?? 0);
    this.live.add(entry);
    return {
      wrote: async (bytes) => {
        entry.written += bytes;
        if (entry.written > entry.reserved) {
          await this.take(entry, entry.written - entry.reserved + this.growBy);
        }
      },
      release: () => {
        this.live.delete(entry);
      },
    };
  }

  private async take(entry: { reserved: number; written: number }, bytes: number): Promise<void> {
    const free = await this.free(this.dir);
    // Counted after the await: a reservation made meanwhile is already in `outstanding`.
    const others =
      this.outstanding - (this.live.has(entry) ? Math.max(0, entry.reserved - entry.written) : 0);
    const pending = Math.max(0, entry.reserved - entry.written);
    if (free - others - pending - bytes < this.minFreeBytes) {
      throw new NoRoomError(Math.max(0, free - others), pending + bytes, this.minFreeBytes);
    }
    entry.reserved += bytes;
  }
}
