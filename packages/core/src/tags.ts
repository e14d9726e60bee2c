/** The `startedBy` every run uses unless told otherwise. */
export const DEFAULT_STARTED_BY = "ecs-fanout";
/** Tag key that marks a task as managed by ecs-fanout; cleanup requires it. */
export const MANAGED_BY_TAG = "ecs-fanout:managed-by";
/** Value of {@link MANAGED_BY_TAG}. */
export const MANAGED_BY_VALUE = "ecs-fanout";
/** Tag key carrying the run id. */
export const RUN_ID_TAG = "ecs-fanout:run-id";

const STARTED_BY = /^[A-Za-z0-9_/-]{1,128}$/;

/** AWS allows letters, digits, `-`, `/`, `_` in `startedBy`, at most 128 characters. */
export function isValidStartedBy(value: string): boolean {
  return STARTED_BY.test(value);
}

/** Problems with user tags: at most 50 in all (ours included), key 1–128, value ≤ 256, no `aws:` prefix, not ours. */
export function tagProblems(tags: Readonly<Record<string, string>>, reservedCount: number): string[] {
  const problems: string[] = [];
  const entries = Object.entries(tags);
  if (entries.length + reservedCount > 50) {
    problems.push(
      `at most ${50 - reservedCount} tags (ECS allows 50, ecs-fanout uses ${reservedCount}), got ${entries.length}`,
    );
  }
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128)
      problems.push(`tag key of 1–128 characters, got ${JSON.stringify(key)}`);
    if (key.toLowerCase().startsWith("aws:"))
      problems.push(`a tag key without the reserved "aws:" prefix, got ${JSON.stringify(key)}`);
    if (key === MANAGED_BY_TAG || key === RUN_ID_TAG)
      problems.push(`a tag key other than ecs-fanout's own, got ${JSON.stringify(key)}`);
    if (typeof value !== "string" || value.length > 256)
      problems.push(`tag value of at most 256 characters for ${JSON.stringify(key)}`);
  }
  return problems;
}

/** The run's tags in RunTask shape: ours first, then the user's. */
export function runTags(
  runId: string,
  user: Readonly<Record<string, string>>,
): { key: string; value: string }[] {
  return [
    { key: MANAGED_BY_TAG, value: MANAGED_BY_VALUE },
    { key: RUN_ID_TAG, value: runId },
    ...Object.entries(user).map(([key, value]) => ({ key, value })),
  ];
}
