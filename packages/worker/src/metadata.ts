import { setTimeout as sleep } from "node:timers/promises";

/**
 * Reads this task's ARN from the ECS task metadata endpoint v4 (`$URI/task` → TaskARN).
 * The agent may not answer in the first instants of a task, hence a few short retries;
 * null when it never answers (the orchestrator then refuses to use this worker).
 */
export async function fetchTaskArn(
  metadataUri: string,
  options: { attempts?: number; signal?: AbortSignal; onRetry?(error: unknown, attempt: number): void } = {},
): Promise<string | null> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const signal = options.signal
        ? AbortSignal.any([options.signal, AbortSignal.timeout(2_000)])
        : AbortSignal.timeout(2_000);
      const response = await fetch(`${metadataUri.replace(/\/+$/, "")}/task`, { signal });
      if (!response.ok) throw new Error(`metadata endpoint answered ${response.status}`);
      const body = (await response.json()) as { TaskARN?: unknown };
      if (typeof body.TaskARN !== "string" || body.TaskARN === "") {
        throw new Error("metadata /task has no TaskARN");
      }
      return body.TaskARN;
    } catch (error) {
      options.signal?.throwIfAborted();
      options.onRetry?.(error, attempt);
      if (attempt < attempts) await sleep(250 * 2 ** (attempt - 1), undefined, { signal: options.signal });
    }
  }
  return null;
}

/**
 * Keeps asking the metadata endpoint (every 2 s) until it names the task or `signal` aborts;
 * used when the first {@link fetchTaskArn} gave up.
 */
export async function lookUpTaskArnLater(
  metadataUri: string,
  signal: AbortSignal,
  found: (taskArn: string) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await sleep(2_000, undefined, { signal });
      const arn = await fetchTaskArn(metadataUri, { attempts: 1, signal });
      if (arn !== null) {
        found(arn);
        return;
      }
    } catch {
      // Aborted: the worker is stopping.
    }
  }
}
