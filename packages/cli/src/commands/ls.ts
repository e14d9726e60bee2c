import { listTasks } from "ecs-fanout";
import { ExitCode } from "../errors.js";
import { type CliIo, println } from "../io.js";
import { normalizeLsOptions } from "../parse/task-options.js";
import { formatTaskTable } from "../report/tasks-table.js";
import { openTaskTarget } from "../target/open.js";

/** `ecs-fanout ls`: the running tasks ecs-fanout started in a cluster. */
export async function lsCommand(raw: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const options = normalizeLsOptions(raw, io);
  const target = await openTaskTarget(options, io);
  try {
    const tasks = await listTasks({
      cluster: options.cluster,
      runId: options.runId,
      startedBy: options.startedBy,
      clients: target.clients,
      aws: target.aws,
    });
    if (options.json) println(io.stdout, JSON.stringify({ cluster: options.cluster, tasks }, null, 2));
    else if (tasks.length === 0) {
      println(
        io.stdout,
        `no running ecs-fanout tasks in ${options.cluster}${options.runId ? ` for run ${options.runId}` : ""}`,
      );
    } else {
      println(io.stdout, formatTaskTable(tasks));
      println(io.stdout, `\n${tasks.length} task(s) in ${options.cluster}`);
    }
    return ExitCode.ok;
  } finally {
    await target.close();
  }
}
