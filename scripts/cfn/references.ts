import { INTRINSICS } from "./spec.js";
import { isObject, type Json } from "./yaml.js";

/** One use of a name inside a value: `Ref`, `Fn::GetAtt`, a `${…}` in `Fn::Sub`, or a condition. */
export interface Reference {
  kind: "ref" | "getatt" | "condition";
  name: string;
  attribute?: string;
  /** Where it occurs, e.g. `Resources.Cluster.Properties.ClusterName`. */
  path: string;
  /** Conditions known to hold here: those of enclosing `Fn::If` true branches. */
  guards: readonly string[];
}

export interface Walk {
  references: Reference[];
  problems: string[];
}

/** Collects every reference in `value` and reports malformed intrinsic functions. */
export function walkValue(value: Json, path: string, guards: readonly string[] = []): Walk {
  const walk: Walk = { references: [], problems: [] };
  visit(value, path, guards, walk, new Set());
  return walk;
}

function visit(value: Json, path: string, guards: readonly string[], walk: Walk, locals: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      visit(item, `${path}[${i}]`, guards, walk, locals);
    });
    return;
  }
  if (!isObject(value)) return;
  const keys = Object.keys(value);
  const fn = keys.length === 1 ? keys[0] : undefined;
  if (fn !== undefined && (fn.startsWith("Fn::") || fn === "Ref")) {
    if (!INTRINSICS.has(fn)) walk.problems.push(`${path}: unknown intrinsic function ${fn}`);
    else visitIntrinsic(fn, value[fn] as Json, `${path}.${fn}`, guards, walk, locals);
    return;
  }
  for (const key of keys) visit(value[key] as Json, `${path}.${key}`, guards, walk, locals);
}

function visitIntrinsic(
  fn: string,
  arg: Json,
  path: string,
  guards: readonly string[],
  walk: Walk,
  locals: Set<string>,
): void {
  switch (fn) {
    case "Ref":
      if (typeof arg !== "string") walk.problems.push(`${path}: expected a name, got ${JSON.stringify(arg)}`);
      else if (!locals.has(arg)) walk.references.push({ kind: "ref", name: arg, path, guards });
      return;
    case "Fn::GetAtt":
      if (
        !Array.isArray(arg) ||
        arg.length !== 2 ||
        typeof arg[0] !== "string" ||
        typeof arg[1] !== "string"
      ) {
        walk.problems.push(`${path}: expected [Resource, Attribute], got ${JSON.stringify(arg)}`);
      } else {
        walk.references.push({ kind: "getatt", name: arg[0], attribute: arg[1], path, guards });
      }
      return;
    case "Fn::Sub":
      visitSub(arg, path, guards, walk, locals);
      return;
    case "Fn::If":
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== "string") {
        walk.problems.push(`${path}: expected [Condition, ifTrue, ifFalse], got ${JSON.stringify(arg)}`);
        return;
      }
      walk.references.push({ kind: "condition", name: arg[0], path, guards });
      visit(arg[1] as Json, `${path}[1]`, [...guards, arg[0]], walk, locals);
      visit(arg[2] as Json, `${path}[2]`, guards, walk, locals);
      return;
    case "Condition":
      if (typeof arg !== "string") walk.problems.push(`${path}: expected a condition name`);
      else walk.references.push({ kind: "condition", name: arg, path, guards });
      return;
    default:
      visit(arg, path, guards, walk, locals);
  }
}

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

function visitSub(arg: Json, path: string, guards: readonly string[], walk: Walk, locals: Set<string>): void {
  let text: Json | undefined = arg;
  let scope = locals;
  if (Array.isArray(arg)) {
    const [template, variables] = arg;
    if (arg.length !== 2 || !isObject(variables)) {
      walk.problems.push(`${path}: expected [template, { variables }]`);
      return;
    }
    text = template;
    scope = new Set([...locals, ...Object.keys(variables)]);
    for (const [name, v] of Object.entries(variables)) visit(v, `${path}.${name}`, guards, walk, locals);
  }
  if (typeof text !== "string") {
    walk.problems.push(`${path}: expected a template string`);
    return;
  }
  for (const match of text.matchAll(SUB_VARIABLE)) {
    const inner = match[1] ?? "";
    if (inner.startsWith("!")) continue; // ${!Literal} is an escaped dollar-brace
    if (inner.trim() === "") {
      walk.problems.push(`${path}: empty \${} in template`);
      continue;
    }
    if (scope.has(inner)) continue;
    const dot = inner.indexOf(".");
    if (dot > 0 && !inner.startsWith("AWS::")) {
      walk.references.push({
        kind: "getatt",
        name: inner.slice(0, dot),
        attribute: inner.slice(dot + 1),
        path,
        guards,
      });
    } else {
      walk.references.push({ kind: "ref", name: inner, path, guards });
    }
  }
}
