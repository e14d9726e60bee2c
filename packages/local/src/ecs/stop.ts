import type { StopTaskCommandOutput } from "@aws-sdk/client-ecs";
import type { Engine } from "../engine.js";
import { invalidParameter } from "../errors.js";
import type { WireOutput } from "../protocols/wire.js";
import { taskIdOf } from "../state.js";
import { optString, reqString } from "../validate.js";
import { resolveCluster } from "./clusters.js";
import { taskView } from "./task-view.js";

/** SIGTERM now, SIGKILL after the stop timeout; stopping a stopping or stopped task changes nothing. */
export function stopTask(input: Record<string, unknown>, engine: Engine): WireOutput<StopTaskCommandOutput> {
  const cluster = resolveCluster(engine.store, optString(input, "cluster"));
  const ref = reqString(input, "task");
  const reason = optString(input, "reason");
  // "Up to 255 characters are allowed in this message" (StopTask API reference).
  if (reason !== undefined && reason.length > 255)
    throw invalidParameter("reason can be at most 255 characters.");
  const task = engine.store.tasks.get(taskIdOf(ref));
  if (!task || task.cluster !== cluster) throw invalidParameter("The referenced task was not found.");
  engine.lifecycle.stop(task, "UserInitiated", reason ?? "Task stopped by user");
  return { task: taskView(task, false) };
}
