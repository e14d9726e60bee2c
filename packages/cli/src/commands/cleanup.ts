import { createInterface } from "node:readline/promises";
import { type CleanupResult, cleanupStaleTasks } from "ecs-fanout";
import { DeclinedError, ExitCode, UsageError } from "../errors.js";
import { type CliIo, println } from "../io.js";
import { type CleanupOptions, normalizeCleanupOptions } from "../parse/task-options.js";
import { formatSeconds } from "../report/format.js";
import { formatTaskTable } from "../report/tasks-table.js";
import { openTaskTarget } from "../target/open.js";
import type { Target } from "../target/target.js";

function filters(options: CleanupOptions): string {
  const parts = [`in ${options.cluster}`];
  if (options.runId) parts.push(`of run ${options.runId}`);
  if (options.olderThan !== undefined) parts.push(`older than ${formatSeconds(options.olderThan)}`);
  return parts.join(" ");
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function cleanup(options: CleanupOptions, target: Target, dryRun: boolean): Promise<CleanupResult> {
  return cleanupStaleTasks({
    cluster: options.cluster,
    runId: options.runId,
    startedBy: options.startedBy,
    olderThanSeconds: options.olderThan,
    dryRun,
    reason: "ecs-fanout cleanup (CLI)",
    clients: target.clients,
    aws: target.aws,
  });
}

/**
 * `ecs-fanout cleanup`: stops tasks that carry both our startedBy and our managed-by tag. Always
 * previews first; stops only with --yes or a "y" at the prompt.
 */
export async function cleanupCommand(raw: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const options = normalizeCleanupOptions(raw, io);
  // Refuse before touching anything: without a TTY there is no one to ask.
  if (!options.dryRun && !options.yes && !io.stdin.isTTY) {
    throw new UsageError("cleanup options", [
      {
        path: "--yes",
        message: "expected --yes (or --dry-run) to stop tasks without a terminal to confirm on",
      },
    ]);
  }
  const target = await openTaskTarget(options, io);
  try {
    const preview = await cleanup(options, target, true);
    const ignored = preview.skipped.filter((s) => s.reason !== "already-stopping").length;
    if (preview.matched.length === 0) {
      if (options.json) println(io.stdout, JSON.stringify(preview, null, 2));
      else
        println(
          io.stdout,
          `nothing to stop ${filters(options)}${ignored ? ` (${ignored} task(s) left alone)` : ""}`,
        );
      return ExitCode.ok;
    }
    if (!options.json) {
      println(io.stdout, formatTaskTable(preview.matched));
      println(io.stdout, "");
    }
    if (options.dryRun) {
      if (options.json) println(io.stdout, JSON.stringify(preview, null, 2));
      else println(io.stdout, `dry run: would stop ${preview.matched.length} task(s) ${filters(options)}`);
      return ExitCode.ok;
    }
    if (!options.yes && !(await confirm(io, `Stop these ${preview.matched.length} task(s)?`))) {
      throw new DeclinedError("cleanup declined");
    }
    const result = await cleanup(options, target, false);
    if (options.json) println(io.stdout, JSON.stringify(result, null, 2));
    else {
      println(io.stdout, `stopped ${result.stopped.length} task(s) ${filters(options)}`);
      for (const f of result.failed)
        println(io.stdout, `  could not stop ${f.task.taskId}: ${f.error.code}: ${f.error.message}`);
    }
    return result.failed.length > 0 ? ExitCode.failure : ExitCode.ok;
  } finally {
    await target.close();
  }
}
