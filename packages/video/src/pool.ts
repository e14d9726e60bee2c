import { availableParallelism } from "node:os";
import pLimit from "p-limit";

/**
 * ffprobe runs at once when many files are read: most of an ffprobe run is its start-up, which
 * uses one core, so one per core (at least two, at most eight).
 */
export const PROBES_AT_ONCE = Math.min(8, Math.max(2, availableParallelism()));

/**
 * Runs `task(0..count-1)` with at most `limit` at once. The first failure stops the rest (their
 * ffmpeg or ffprobe is killed) and is rethrown once every task has settled, so no child outlives
 * the call.
 */
export async function pool(
  count: number,
  limit: number,
  outer: AbortSignal | undefined,
  task: (index: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && failure === undefined && !signal.aborted) {
      const index = next++;
      try {
        await task(index, signal);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure !== undefined) throw failure.error;
  outer?.throwIfAborted();
}

/**
 * Maps every item with at most `limit` at once and settles them all, in order: unlike
 * {@link pool}, one failure does not stop the others, so a caller can report the first failure
 * in the items' order rather than in the order they happened to finish.
 */
export function settleAll<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const run = pLimit(limit);
  return Promise.allSettled(items.map((item) => run(() => task(item))));
}
