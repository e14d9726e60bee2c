import type { ListedTask } from "ecs-fanout";
import { formatSeconds } from "./format.js";
import { type Column, renderTable } from "./table.js";

const COLUMNS: Column<ListedTask>[] = [
  { header: "task", value: (t) => t.taskId },
  { header: "status", value: (t) => t.lastStatus ?? "–" },
  { header: "age", value: (t) => formatSeconds(t.ageSeconds), align: "right" },
  { header: "capacity", value: (t) => t.capacityProvider ?? t.launchType ?? "–" },
  { header: "address", value: (t) => t.publicIp ?? t.privateIp ?? "–" },
  { header: "run", value: (t) => t.runId ?? "–" },
];

/** The table `ls` and `cleanup` print for a list of tasks. */
export function formatTaskTable(tasks: readonly ListedTask[]): string {
  return renderTable(COLUMNS, tasks);
}
