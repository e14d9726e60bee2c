/** How many tasks a run launches and how segments would spread over them. */
export interface RunPlan {
  readonly segments: number;
  readonly tasks: number;
  /** Segments per task if they spread evenly (the queue is dynamic, so this is a target, not a pin). */
  readonly segmentsPerTask: number;
}

/**
 * Task count = min(maxParallelTasks, ceil(segments / segmentsPerBatch)), and at least one task
 * when there is any segment.
 */
export function planRun(input: {
  segments: number;
  maxParallelTasks: number;
  segmentsPerBatch: number;
}): RunPlan {
  const { segments, maxParallelTasks, segmentsPerBatch } = input;
  if (segments <= 0) return { segments: 0, tasks: 0, segmentsPerTask: 0 };
  const tasks = Math.max(1, Math.min(maxParallelTasks, Math.ceil(segments / segmentsPerBatch)));
  return { segments, tasks, segmentsPerTask: Math.ceil(segments / tasks) };
}

/** Splits a task count into RunTask calls of at most 10 (AWS's `count` limit). */
export function launchBatches(tasks: number, perCall = 10): number[] {
  const batches: number[] = [];
  for (let left = tasks; left > 0; left -= perCall) batches.push(Math.min(perCall, left));
  return batches;
}
