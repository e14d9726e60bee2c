/**
 * How long a SIGTERM drain may take: the container's stop timeout (after which ECS sends
 * SIGKILL) minus a margin of 20 %, at least 200 ms and at most 5 s, so the worker exits 0 on
 * its own, before the kill.
 */
export function stopDeadlineMs(stopTimeoutSeconds: number): number {
  const stopMs = stopTimeoutSeconds * 1000;
  const margin = Math.min(5_000, Math.max(200, stopMs * 0.2));
  return Math.max(100, stopMs - margin);
}
