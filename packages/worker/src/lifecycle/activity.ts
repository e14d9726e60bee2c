/**
 * When the worker last made progress: an authenticated request completed, or bytes of an
 * upload or download moved. Open connections do not count, so one stalled or half-open
 * connection cannot keep an orphaned (paid) task alive.
 */
export class Activity {
  private last = Date.now();

  progress(): void {
    this.last = Date.now();
  }

  /** Milliseconds since the last progress. */
  quietMs(): number {
    return Date.now() - this.last;
  }
}

/**
 * Calls `onIdle` once `idleMs` pass without progress. Returns the function that stops watching.
 * Plain setTimeout and Date.now, so tests drive it with fake timers.
 */
export function watchIdle(activity: Activity, idleMs: number, onIdle: () => void): () => void {
  let timer: NodeJS.Timeout;
  const check = () => {
    const quiet = activity.quietMs();
    if (quiet >= idleMs) return onIdle();
    timer = setTimeout(check, idleMs - quiet);
  };
  timer = setTimeout(check, idleMs);
  return () => clearTimeout(timer);
}
