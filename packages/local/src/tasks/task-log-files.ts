import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";

/** One `<taskId>.log` per task in the configured log folder (none when there is no folder). */
export class TaskLogFiles {
  private readonly files = new Map<string, WriteStream>();

  constructor(private readonly dir: string | undefined) {}

  /** The task's log file, opened for appending on first use. */
  get(taskId: string): WriteStream | undefined {
    if (!this.dir) return undefined;
    let file = this.files.get(taskId);
    if (!file) {
      mkdirSync(this.dir, { recursive: true });
      file = createWriteStream(join(this.dir, `${taskId}.log`), { flags: "a" });
      // A full or vanished disk must not take the endpoint down: the task's lines go to its log group too.
      file.on("error", () => {});
      this.files.set(taskId, file);
    }
    return file;
  }

  end(taskId: string): void {
    this.files.get(taskId)?.end();
    this.files.delete(taskId);
  }

  endAll(): void {
    for (const file of this.files.values()) file.end();
    this.files.clear();
  }
}
