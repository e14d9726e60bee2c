import type { ListTasksCommandOutput } from "@aws-sdk/client-ecs";
import type { Engine } from "../engine.js";
import { ApiError, invalidParameter } from "../errors.js";
import type { WireOutput } from "../protocols/wire.js";
import { optInt, optString } from "../validate.js";
import { resolveCluster } from "./clusters.js";
import { validateStartedBy } from "./validation.js";

const FILTERS = ["family", "containerInstance", "serviceName", "desiredStatus", "launchType"] as const;

/**
 * Page tokens carry the last task returned (creation time, id) and the query they belong to: a
 * task changing status between pages shifts no other task, and a token from another query fails.
 */
type Cursor = [number, string];
const encodeToken = (after: Cursor, query: string): string =>
  Buffer.from(JSON.stringify({ after, query })).toString("base64url");

function decodeToken(token: string, query: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      after?: unknown;
      query?: unknown;
    };
    const after = parsed.after;
    if (
      parsed.query === query &&
      Array.isArray(after) &&
      typeof after[0] === "number" &&
      typeof after[1] === "string"
    ) {
      return [after[0], after[1]];
    }
  } catch {
    // falls through to the error below
  }
  throw invalidParameter("Invalid nextToken.");
}

const beyond = (t: { createdAt: number; id: string }, [at, id]: Cursor): boolean =>
  t.createdAt > at || (t.createdAt === at && t.id > id);

export function listTasks(
  input: Record<string, unknown>,
  engine: Engine,
): WireOutput<ListTasksCommandOutput> {
  const cluster = resolveCluster(engine.store, optString(input, "cluster"));
  const startedBy = validateStartedBy(input["startedBy"]);
  const used = FILTERS.filter((f) => input[f] !== undefined && input[f] !== null);
  if (startedBy !== undefined && used.length > 0) {
    throw invalidParameter(
      `When you specify startedBy as the filter, it must be the only filter that you use (also given: ${used.join(", ")}).`,
    );
  }
  const maxResults = optInt(input, "maxResults");
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 100)) {
    throw invalidParameter("maxResults must be between 1 and 100.");
  }
  const desired = optString(input, "desiredStatus") ?? "RUNNING";
  if (!["RUNNING", "PENDING", "STOPPED"].includes(desired))
    throw invalidParameter(`Invalid desiredStatus: ${desired}`);
  const family = optString(input, "family");
  const launchType = optString(input, "launchType");
  const instance = optString(input, "containerInstance");
  if (optString(input, "serviceName") !== undefined) {
    throw new ApiError("ServiceNotFoundException", "Service not found.");
  }
  const query = JSON.stringify([cluster.name, startedBy, family, launchType, instance, desired]);
  const token = optString(input, "nextToken");
  const cursor = token ? decodeToken(token, query) : undefined;
  const limit = maxResults ?? 100;
  const matching = [...engine.store.tasks.values()]
    .filter(
      (t) =>
        t.cluster === cluster &&
        // PENDING as a filter matches nothing: a task's desiredStatus is RUNNING or STOPPED.
        t.desiredStatus === desired &&
        (startedBy === undefined || t.startedBy === startedBy) &&
        (family === undefined || t.taskDef.family === family) &&
        (launchType === undefined || t.launchType === launchType) &&
        (instance === undefined || t.instance?.arn === instance || t.instance?.id === instance),
    )
    .filter((t) => cursor === undefined || beyond(t, cursor))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const page = matching.slice(0, limit);
  const last = page.at(-1);
  return {
    taskArns: page.map((t) => t.arn),
    nextToken: matching.length > limit && last ? encodeToken([last.createdAt, last.id], query) : undefined,
  };
}
