import type { Tag } from "@aws-sdk/client-ec2";
import { ApiError } from "./errors.js";
import type { QueryFilter } from "./protocols/ec2-query.js";

/** EC2 filter values may use `*` (any run) and `?` (one character) wildcards. */
const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
  );

/** Whether an item's fields match every filter (any value of a filter, with wildcards). */
export function matches(
  filters: QueryFilter[],
  tags: readonly Tag[] | undefined,
  fields: Record<string, string | string[] | undefined>,
): boolean {
  return filters.every((f) => {
    const field =
      tagField(f.name, tags ?? []) ?? (Object.hasOwn(fields, f.name) ? fields[f.name] : invalid(f.name));
    const values = field === undefined ? [] : Array.isArray(field) ? field : [field];
    return f.values.some((p) => values.some((v) => wildcard(p).test(v)));
  });
}

/** IDs of the wrong shape are InvalidXxxID.Malformed on EC2, before any lookup. */
export function checkIds(ids: string[], prefix: string, code: string, what: string): void {
  const bad = ids.find((id) => !new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`).test(id));
  if (bad !== undefined) throw new ApiError(code, `Invalid id: "${bad}" (expecting "${what}")`);
}

/** `tag:<key>` (the values of that key) and `tag-key` (every key), as every Describe call takes them. */
function tagField(name: string, tags: readonly Tag[]): string[] | undefined {
  if (name === "tag-key") return tags.map((t) => t.Key ?? "");
  if (name.startsWith("tag:")) return tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value ?? "");
  return undefined;
}

const invalid = (name: string): never => {
  throw new ApiError("InvalidParameterValue", `The filter '${name}' is invalid`);
};

const isTagFilter = (name: string): boolean => name === "tag-key" || /^tag:.+/.test(name);

/** Unknown filter names are an error even when nothing would have been compared against them. */
export function checkFilterNames(filters: QueryFilter[], known: readonly string[]): void {
  const bad = filters.find((f) => !known.includes(f.name) && !isTagFilter(f.name));
  if (bad !== undefined) throw new ApiError("InvalidParameterValue", `The filter '${bad.name}' is invalid`);
}

/** `MaxResults`, when given, must lie in EC2's range for the call. */
export function checkMaxResults(params: URLSearchParams, min: number, max: number): void {
  const given = params.get("MaxResults");
  if (given === null) return;
  const n = Number(given);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ApiError(
      "InvalidParameterValue",
      `Value ( ${given} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
    );
}
