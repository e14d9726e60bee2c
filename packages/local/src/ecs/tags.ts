import type {
  ListTagsForResourceCommandOutput,
  Tag,
  TagResourceCommandOutput,
  UntagResourceCommandOutput,
} from "@aws-sdk/client-ecs";
import type { Engine } from "../engine.js";
import { ApiError, invalidParameter } from "../errors.js";
import type { WireOutput } from "../protocols/wire.js";
import { clusterName } from "../state.js";
import { optStringList, reqString } from "../validate.js";
import { findTaskDefinition } from "./task-definitions.js";
import { validateTags } from "./validation.js";

interface Tagged {
  get(): Tag[];
  set(tags: Tag[]): void;
  stopped: boolean;
}

const notFound = () => new ApiError("ResourceNotFoundException", "The specified resource wasn't found.");

function resource(engine: Engine, arn: string): Tagged {
  const m = /^arn:aws[a-z-]*:ecs:[^:]+:\d+:(cluster|task|task-definition)\/(.+)$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid resource ARN: ${arn}`);
  const [, kind, rest = ""] = m;
  if (kind === "cluster") {
    const c = engine.store.clusters.get(clusterName(arn));
    // All three tag actions document ClusterNotFoundException for the cluster case.
    if (!c) throw new ApiError("ClusterNotFoundException", "Cluster not found.");
    return { get: () => c.tags, set: (t) => (c.tags = t), stopped: false };
  }
  if (kind === "task") {
    const t = engine.store.tasks.get(rest.split("/").at(-1) ?? "");
    if (!t) throw notFound();
    return { get: () => t.tags, set: (tags) => (t.tags = tags), stopped: t.lastStatus === "STOPPED" };
  }
  const d = findTaskDefinition(engine.store, arn);
  if (!d || !/:\d+$/.test(arn)) throw notFound();
  return { get: () => d.tags, set: (t) => (d.tags = t), stopped: false };
}

export function tagResource(
  input: Record<string, unknown>,
  engine: Engine,
): WireOutput<TagResourceCommandOutput> {
  const r = resource(engine, reqString(input, "resourceArn"));
  const tags = validateTags(input["tags"]);
  if (tags.length === 0) throw invalidParameter("tags can not be empty.");
  // A stopped task's tags are gone and cannot come back.
  if (r.stopped) throw invalidParameter("The specified task is stopped.");
  const merged = new Map(r.get().map((t) => [t.key, t.value]));
  for (const t of tags) merged.set(t.key, t.value);
  // "Tags with this prefix [aws:] do not count against your tags per resource limit."
  const counted = [...merged.keys()].filter((k) => !/^aws:/i.test(k ?? "")).length;
  if (counted > 50) throw invalidParameter(`Too many tags: at most 50 tags are allowed, got ${counted}.`);
  r.set([...merged].map(([key, value]) => ({ key, value })));
  return {};
}

export function untagResource(
  input: Record<string, unknown>,
  engine: Engine,
): WireOutput<UntagResourceCommandOutput> {
  const r = resource(engine, reqString(input, "resourceArn"));
  const keys = optStringList(input, "tagKeys") ?? [];
  if (keys.length === 0) throw invalidParameter("tagKeys can not be empty.");
  // "You cannot edit or delete tag keys or values with this prefix [aws:]."
  const reserved = keys.find((k) => /^aws:/i.test(k));
  if (reserved !== undefined)
    throw invalidParameter(`Tag keys starting with 'aws:' are reserved for AWS use: ${reserved}`);
  r.set(r.get().filter((t) => !keys.includes(t.key ?? "")));
  return {};
}

export function listTagsForResource(
  input: Record<string, unknown>,
  engine: Engine,
): WireOutput<ListTagsForResourceCommandOutput> {
  return { tags: resource(engine, reqString(input, "resourceArn")).get() };
}
