import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";

/** One thing wrong with an input: where, and "expected … got …". */
export interface Problem {
  /** Path into the input, e.g. `segments[2].id`; `""` for the input itself. */
  readonly path: string;
  /** "expected … got …" sentence. */
  readonly message: string;
}

/** The outcome of {@link checkSchema}: the parsed value, or every problem at once. */
export type Checked<T> =
  | { readonly ok: true; readonly value: T; readonly problems?: undefined }
  | { readonly ok: false; readonly value?: undefined; readonly problems: readonly Problem[] };

/**
 * Parses `input` with `schema` and, on failure, turns every schema issue into a {@link Problem}
 * in the library's one voice. Never throws for a bad input; each package wraps the problems in
 * its own error class.
 */
export function checkSchema<S extends z.ZodType>(schema: S, input: unknown): Checked<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problems: formatIssues(schema, input, parsed.error.issues) };
}

/** Turns zod issues into problems, reading bounds and known keys off the schema itself. */
export function formatIssues(
  schema: z.ZodType,
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) out.push(...formatIssue(schema, input, issue, []));
  return dedupe(out);
}

function formatIssue(
  root: z.ZodType,
  input: unknown,
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[],
): Problem[] {
  const path = [...prefix, ...issue.path];
  const got = valueAt(input, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(schemaAt(root, path));
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: unknownKeyMessage(key, known),
      }));
    }
    case "invalid_union": {
      // A union with one option that matched the input's kind (its keys; only values wrong, so
      // every issue lies inside it): report that option's issues.
      const branches = issue.errors.filter((b) => b.length > 0);
      const matching = branches.filter((b) => b.every((i) => i.path.length > 0));
      const closestBranch = matching.length === 1 ? matching[0] : undefined;
      if (closestBranch) return closestBranch.flatMap((i) => formatIssue(root, input, i, path));
      return [{ path: formatPath(path), message: expectedGot(expectedAt(root, path), got) }];
    }
    case "custom":
      return [{ path: formatPath(path), message: issue.message }];
    case "invalid_type":
      if (got === undefined && !issue.path.length && !prefix.length)
        return [{ path: "", message: expectedGot(expectedAt(root, path), got) }];
      return [{ path: formatPath(path), message: expectedGot(expectedAt(root, path), got) }];
    default:
      return [{ path: formatPath(path), message: expectedGot(expectedAt(root, path), got) }];
  }
}

/** "expected X, got Y", the one sentence shape for every problem. */
export function expectedGot(expected: string, got: unknown): string {
  return `expected ${expected}, got ${describeValue(got)}`;
}

/** Short, safe rendering of a bad value for an error message (never a whole object). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "function") return "a function";
  return "an object";
}

/** The closest of `known` to `key`, when it is close enough to be a likely typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(key, [...known]);
  const limit = Math.max(2, Math.floor(key.length / 3));
  const lowerMatch = known.find((k) => k.toLowerCase() === key.toLowerCase());
  if (lowerMatch) return lowerMatch;
  return distance(key, best) <= limit ? best : undefined;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const hint = suggestKey(key, known);
  return hint === undefined
    ? expectedGot("a known key", key)
    : expectedGot(`a known key (did you mean "${hint}"?)`, key);
}

/** `a.b[2].c` from a path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---- reading the schema -------------------------------------------------------------------
// zod 4 exposes every schema's definition as `_zod.def`; we read it to say what was expected
// ("an integer from 1 to 64") and which keys exist (for "did you mean").

interface Def {
  type: string;
  innerType?: Node;
  in?: Node;
  out?: Node;
  shape?: Record<string, Node>;
  element?: Node;
  valueType?: Node;
  keyType?: Node;
  options?: Node[];
  items?: Node[];
  rest?: Node | null;
  entries?: Record<string, string | number>;
  values?: unknown[];
  getter?: () => Node;
  format?: string;
  checks?: { _zod: { def: { check: string; value?: unknown; inclusive?: boolean; format?: string } } }[];
}
interface Node {
  _zod: { def: Def };
  description?: string;
}

function node(schema: unknown): Node | undefined {
  return schema && typeof schema === "object" && "_zod" in schema ? (schema as Node) : undefined;
}

/** Removes wrappers that do not change what a value must look like. */
function unwrap(n: Node | undefined): Node | undefined {
  let cur = n;
  for (let i = 0; cur && i < 32; i++) {
    const d = cur._zod.def;
    if (
      ["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(d.type) &&
      d.innerType
    ) {
      if (cur.description) return cur;
      cur = d.innerType;
    } else if (d.type === "pipe" && d.in) {
      if (cur.description) return cur;
      // A transform's input side says what the user must pass.
      cur = d.in._zod.def.type === "transform" && d.out ? d.out : d.in;
    } else if (d.type === "lazy" && d.getter) cur = d.getter();
    else return cur;
  }
  return cur;
}

function children(n: Node | undefined, key: PropertyKey): Node[] {
  const u = unwrap(n);
  if (!u) return [];
  const d = u._zod.def;
  switch (d.type) {
    case "object": {
      const c = typeof key === "string" ? d.shape?.[key] : undefined;
      return c ? [c] : [];
    }
    case "array":
      return d.element ? [d.element] : [];
    case "tuple":
      return typeof key === "number" && d.items?.[key] ? [d.items[key]] : d.rest ? [d.rest] : [];
    case "record":
      return d.valueType ? [d.valueType] : [];
    case "union":
      return (d.options ?? []).flatMap((o) => children(o, key));
    case "intersection":
      return [];
    default:
      return [];
  }
}

function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): Node[] {
  let cur: Node[] = [node(root)].filter((n): n is Node => n !== undefined);
  for (const part of path) cur = cur.flatMap((n) => children(n, part));
  return cur;
}

function knownKeys(nodes: Node[]): string[] {
  const keys = new Set<string>();
  const visit = (n: Node | undefined) => {
    const u = unwrap(n);
    if (!u) return;
    const d = u._zod.def;
    if (d.type === "object") for (const k of Object.keys(d.shape ?? {})) keys.add(k);
    if (d.type === "union") for (const o of d.options ?? []) visit(o);
  };
  for (const n of nodes) visit(n);
  return [...keys];
}

function expectedAt(root: z.ZodType, path: readonly PropertyKey[]): string {
  const nodes = schemaAt(root, path);
  const phrases = [...new Set(nodes.map(describeSchema))];
  return phrases.length === 0 ? "a valid value" : phrases.join(" or ");
}

/** A schema's expectation in words; a `.describe("…")` text wins. */
export function describeSchema(schema: unknown): string {
  const n = unwrap(node(schema));
  if (!n) return "a valid value";
  if (n.description) return n.description;
  const d = n._zod.def;
  switch (d.type) {
    case "string":
      return describeString(n);
    case "number":
    case "int":
      return describeNumber(n);
    case "boolean":
      return "true or false";
    case "literal":
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(" or ");
    case "enum":
      return `one of ${Object.values(d.entries ?? {})
        .map((v) => JSON.stringify(v))
        .join(", ")}`;
    case "array":
      return describeArray(n);
    case "object":
      return "an object";
    case "record":
      return "an object";
    case "union":
      return [...new Set((d.options ?? []).map(describeSchema))].join(" or ");
    case "function":
      return "a function";
    case "custom":
      return "a valid value";
    default:
      return `a ${d.type}`;
  }
}

/** "an array of 1 to 16 strings": the element's noun when it is one word ("a string"), else "item". */
function describeArray(n: Node): string {
  let min: number | undefined;
  let max: number | undefined;
  for (const c of n._zod.def.checks ?? []) {
    const d = c._zod.def as { check: string; minimum?: number; maximum?: number; length?: number };
    if (d.check === "min_length") min = d.minimum;
    if (d.check === "max_length") max = d.maximum;
    if (d.check === "length_equals") min = max = d.length;
  }
  const word = /^an? (\w+)$/.exec(describeSchema(n._zod.def.element))?.[1] ?? "item";
  const noun = (count: number) => (count === 1 || word.endsWith("s") ? word : `${word}s`);
  if (min !== undefined && max !== undefined)
    return min === max ? `an array of ${min} ${noun(min)}` : `an array of ${min} to ${max} ${noun(max)}`;
  if (min !== undefined) return `an array of at least ${min} ${noun(min)}`;
  if (max !== undefined) return `an array of at most ${max} ${noun(max)}`;
  return `an array of ${noun(2)}`;
}

interface Bounds {
  min?: number;
  max?: number;
  minEx?: boolean;
  maxEx?: boolean;
  int: boolean;
}

// Bounds live in the definition's checks (the `bag` is only filled in once a value is parsed).
function bounds(n: Node): Bounds {
  const out: Bounds = { int: n._zod.def.type === "int" };
  for (const c of n._zod.def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === "number_format" && /int/.test(String(d.format))) out.int = true;
    if (d.check === "greater_than" && typeof d.value === "number") {
      out.min = d.value;
      out.minEx = d.inclusive === false;
    }
    if (d.check === "less_than" && typeof d.value === "number") {
      out.max = d.value;
      out.maxEx = d.inclusive === false;
    }
  }
  return out;
}

function describeNumber(n: Node): string {
  const b = bounds(n);
  const kind = b.int ? "an integer" : "a number";
  const lo = b.min === undefined ? undefined : `${b.minEx ? ">" : "≥"} ${b.min}`;
  const hi = b.max === undefined ? undefined : `${b.maxEx ? "<" : "≤"} ${b.max}`;
  if (b.min !== undefined && b.max !== undefined && !b.minEx && !b.maxEx)
    return `${kind} from ${b.min} to ${b.max}`;
  if (lo && hi) return `${kind} ${lo} and ${hi}`;
  if (lo) return `${kind} ${lo}`;
  if (hi) return `${kind} ${hi}`;
  return b.int ? "an integer" : "a finite number";
}

function describeString(n: Node): string {
  let min: number | undefined;
  let max: number | undefined;
  let pattern = "";
  for (const c of n._zod.def.checks ?? []) {
    const d = c._zod.def as {
      check: string;
      minimum?: number;
      maximum?: number;
      length?: number;
      pattern?: RegExp;
      format?: string;
    };
    if (d.check === "min_length") min = d.minimum;
    if (d.check === "max_length") max = d.maximum;
    if (d.check === "length_equals") min = max = d.length;
    if (d.check === "string_format" && d.pattern && d.format === "regex")
      pattern = ` matching ${String(d.pattern)}`;
    else if (d.check === "string_format" && d.format) pattern = ` (${d.format})`;
  }
  if (min !== undefined && max !== undefined)
    return min === max
      ? `a string of ${min} characters${pattern}`
      : `a string of ${min} to ${max} characters${pattern}`;
  if (min === 1) return `a non-empty string${pattern}`;
  if (min !== undefined) return `a string of at least ${min} characters${pattern}`;
  if (max !== undefined) return `a string of at most ${max} characters${pattern}`;
  return `a string${pattern}`;
}
