import { DEFAULT_CLUSTER, DEFAULT_STARTED_BY } from "../defaults.js";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { chooseTarget, type TargetChoice } from "./run-options.js";
import { Problems, parseDuration } from "./values.js";

export interface RawLsOptions {
  cluster?: string;
  runId?: string;
  startedBy?: string;
  local?: boolean;
  json?: boolean;
}

export interface LsOptions {
  cluster: string;
  runId?: string;
  startedBy: string;
  json: boolean;
  target: TargetChoice;
}

export interface RawCleanupOptions extends RawLsOptions {
  olderThan?: string;
  dryRun?: boolean;
  yes?: boolean;
}

export interface CleanupOptions extends LsOptions {
  olderThanSeconds?: number;
  dryRun: boolean;
  yes: boolean;
}

const STARTED_BY = /^[A-Za-z0-9_/-]{1,128}$/;

function checkCommon(raw: RawLsOptions, problems: Problems): void {
  if (raw.cluster !== undefined && raw.cluster.trim() === "")
    problems.add('--cluster: expected a name or ARN, got ""');
  if (raw.startedBy !== undefined && !STARTED_BY.test(raw.startedBy)) {
    problems.add(
      `--started-by: expected 1–128 letters, digits, "-", "_" or "/" (as ECS allows), got ${JSON.stringify(raw.startedBy)}`,
    );
  }
  if (raw.runId !== undefined && raw.runId.trim() === "") problems.add('--run-id: expected a run id, got ""');
}

export function normalizeLsOptions(raw: RawLsOptions, io: CliIo): LsOptions {
  const problems = new Problems();
  checkCommon(raw, problems);
  if (!problems.empty) throw new UsageError(problems.list);
  return {
    cluster: raw.cluster ?? DEFAULT_CLUSTER,
    runId: raw.runId,
    startedBy: raw.startedBy ?? DEFAULT_STARTED_BY,
    json: Boolean(raw.json),
    target: chooseTarget(raw.local, io),
  };
}

export function normalizeCleanupOptions(raw: RawCleanupOptions, io: CliIo): CleanupOptions {
  const problems = new Problems();
  checkCommon(raw, problems);
  const olderThanSeconds =
    raw.olderThan === undefined ? undefined : problems.take(parseDuration("--older-than", raw.olderThan));
  if (raw.dryRun && raw.yes) problems.add("--yes: expected either --dry-run or --yes, got both");
  if (!problems.empty) throw new UsageError(problems.list);
  return {
    cluster: raw.cluster ?? DEFAULT_CLUSTER,
    runId: raw.runId,
    startedBy: raw.startedBy ?? DEFAULT_STARTED_BY,
    json: Boolean(raw.json),
    target: chooseTarget(raw.local, io),
    olderThanSeconds,
    dryRun: Boolean(raw.dryRun),
    yes: Boolean(raw.yes),
  };
}
