import { ApiError } from "./errors.js";

/**
 * CloudWatch Logs filter patterns, as FilterLogEvents applies them (the "Filter pattern syntax"
 * pages of the CloudWatch Logs guide):
 * - `""` matches every event;
 * - terms (`ERROR timeout`) must all appear, a quoted phrase is one term, `-term` must not
 *   appear, `?a ?b` matches either;
 * - `{ … }` matches JSON events: `$.a.b[0]` selectors compared with `=`/`!=` to strings
 *   (quoted or bare, `*` a wildcard, `= *` meaning "exists") or with `=`, `!=`, `<`, `>`,
 *   `<=`, `>=` to numbers; `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`; `&&`, `||` and
 *   parentheses. An event that is not a JSON object never matches a JSON pattern.
 */
export function patternMatcher(pattern: string): (message: string) => boolean {
  const trimmed = pattern.trim();
  if (trimmed === "") return () => true;
  if (trimmed.startsWith("{")) return jsonMatcher(trimmed);
  return termMatcher(trimmed);
}

function termMatcher(pattern: string): (message: string) => boolean {
  const terms = [...pattern.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
  const optional = terms.filter((t) => t.startsWith("?")).map((t) => t.slice(1));
  const required = terms.filter((t) => !t.startsWith("?"));
  const has = (message: string, term: string) =>
    term.startsWith("-") ? !message.includes(term.slice(1)) : message.includes(term);
  return (message) =>
    optional.length > 0 ? optional.some((t) => has(message, t)) : required.every((t) => has(message, t));
}

type Path = (string | number)[];
type Node =
  | { kind: "and" | "or"; left: Node; right: Node }
  | { kind: "compare"; path: Path; op: string; value: string; quoted: boolean }
  | { kind: "is"; path: Path; what: "TRUE" | "FALSE" | "NULL" | "NOT EXISTS" };

const invalidPattern = (): ApiError => new ApiError("InvalidParameterException", "Invalid filter pattern");

/** A tiny recursive-descent parser over the pattern's characters. */
class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  private skip(): void {
    while (/\s/.test(this.text[this.at] ?? "")) this.at++;
  }
  private eat(token: string): boolean {
    this.skip();
    if (this.text.startsWith(token, this.at)) {
      this.at += token.length;
      return true;
    }
    return false;
  }
  private expect(token: string): void {
    if (!this.eat(token)) throw invalidPattern();
  }

  parse(): Node {
    this.expect("{");
    const node = this.or();
    this.expect("}");
    this.skip();
    if (this.at !== this.text.length) throw invalidPattern();
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.eat("||")) left = { kind: "or", left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.primary();
    while (this.eat("&&")) left = { kind: "and", left, right: this.primary() };
    return left;
  }

  private primary(): Node {
    if (this.eat("(")) {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    const path = this.selector();
    if (this.eat("IS")) {
      for (const what of ["TRUE", "FALSE", "NULL"] as const)
        if (this.eat(what)) return { kind: "is", path, what };
      throw invalidPattern();
    }
    if (this.eat("NOT")) {
      this.expect("EXISTS");
      return { kind: "is", path, what: "NOT EXISTS" };
    }
    const op = ["!=", "<=", ">=", "=", "<", ">"].find((o) => this.eat(o));
    if (!op) throw invalidPattern();
    return { kind: "compare", path, op, ...this.value() };
  }

  private selector(): Path {
    this.expect("$");
    const path: Path = [];
    for (;;) {
      const m = /^\.([A-Za-z0-9_@$-]+)|^\[(\d+)\]/.exec(this.text.slice(this.at));
      if (!m) break;
      path.push(m[1] ?? Number(m[2]));
      this.at += m[0].length;
    }
    if (path.length === 0) throw invalidPattern();
    return path;
  }

  private value(): { value: string; quoted: boolean } {
    this.skip();
    if (this.text[this.at] === '"') {
      const end = this.text.indexOf('"', this.at + 1);
      if (end < 0) throw invalidPattern();
      const value = this.text.slice(this.at + 1, end);
      this.at = end + 1;
      return { value, quoted: true };
    }
    const m = /^[^\s()&|}]+/.exec(this.text.slice(this.at));
    if (!m) throw invalidPattern();
    this.at += m[0].length;
    return { value: m[0], quoted: false };
  }
}

function jsonMatcher(pattern: string): (message: string) => boolean {
  const tree = new Parser(pattern).parse();
  return (message) => {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof doc === "object" && doc !== null && evaluate(tree, doc);
  };
}

function lookup(doc: unknown, path: Path): unknown {
  let v = doc;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    if (!Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

function evaluate(node: Node, doc: unknown): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, doc) && evaluate(node.right, doc);
    case "or":
      return evaluate(node.left, doc) || evaluate(node.right, doc);
    case "is": {
      const v = lookup(doc, node.path);
      if (node.what === "NOT EXISTS") return v === undefined;
      return v === (node.what === "TRUE" ? true : node.what === "FALSE" ? false : null);
    }
    case "compare":
      return compare(lookup(doc, node.path), node);
  }
}

function compare(field: unknown, node: { op: string; value: string; quoted: boolean }): boolean {
  if (field === undefined || (typeof field === "object" && field !== null)) return false;
  const number = node.quoted ? Number.NaN : Number(node.value);
  if (typeof field === "number" && !Number.isNaN(number)) {
    switch (node.op) {
      case "=":
        return field === number;
      case "!=":
        return field !== number;
      case "<":
        return field < number;
      case ">":
        return field > number;
      case "<=":
        return field <= number;
      default:
        return field >= number;
    }
  }
  if (node.op !== "=" && node.op !== "!=") return false;
  const equal = wildcard(node.value).test(String(field));
  return node.op === "=" ? equal : !equal;
}
