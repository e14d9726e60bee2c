/** Why an upload was cut: it stalled, or it crawled below the floor. */
export class UploadTimeoutError extends Error {}

/**
 * The body deadlines of one upload: no byte for `idleMs`, or fewer than `minBytesPerSecond`
 * over a whole `windowMs`, calls `expire` once. Timers are plain setTimeout, so tests can
 * drive them with fake timers.
 */
export class UploadDeadlines {
  private idle: NodeJS.Timeout | undefined;
  private window: NodeJS.Timeout | undefined;
  private inWindow = 0;
  private done = false;

  constructor(
    private readonly rule: { idleMs: number; minBytesPerSecond: number; windowMs: number },
    private readonly expire: (error: UploadTimeoutError) => void,
  ) {
    this.armIdle();
    if (rule.minBytesPerSecond > 0) this.armWindow();
  }

  /** Bytes arrived: the idle clock starts again, and they count for this window's rate. */
  bytes(n: number): void {
    if (this.done) return;
    this.inWindow += n;
    this.armIdle();
  }

  stop(): void {
    this.done = true;
    clearTimeout(this.idle);
    clearTimeout(this.window);
  }

  private fire(message: string): void {
    if (this.done) return;
    this.stop();
    this.expire(new UploadTimeoutError(message));
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(
      () => this.fire(`upload: expected a byte at least every ${this.rule.idleMs / 1000} s, got none`),
      this.rule.idleMs,
    );
  }

  private armWindow(): void {
    this.window = setTimeout(() => {
      const seconds = this.rule.windowMs / 1000;
      const rate = this.inWindow / seconds;
      if (rate < this.rule.minBytesPerSecond) {
        return this.fire(
          `upload: expected at least ${this.rule.minBytesPerSecond} bytes/s over ${seconds} s, got ${Math.floor(rate)}`,
        );
      }
      this.inWindow = 0;
      this.armWindow();
    }, this.rule.windowMs);
  }
}
