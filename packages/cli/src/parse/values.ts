/**
 * Parsers for option values. Each returns the value or a problem phrased "expected … got …",
 * so a command can collect every problem before it reports them together.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });
const shown = (raw: string): string => JSON.stringify(raw);

export function parseInteger(
  name: string,
  raw: string,
  range: { min: number; max?: number },
): Parsed<number> {
  const value = /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < range.min || value > max) {
    const expected = range.max === undefined ? `an integer ≥ ${range.min}` : `an integer ${range.min}–${max}`;
    return bad(`${name}: expected ${expected}, got ${shown(raw)}`);
  }
  return ok(value);
}

export function parsePositiveNumber(name: string, raw: string, max = Number.MAX_VALUE): Parsed<number> {
  const value = /^\s*\+?(\d+(\.\d*)?|\.\d+)\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value > 0) || value > max) {
    const expected = max === Number.MAX_VALUE ? "a number > 0" : `a number > 0 and ≤ ${max}`;
    return bad(`${name}: expected ${expected}, got ${shown(raw)}`);
  }
  return ok(value);
}

export function parseChoice<T extends string>(name: string, raw: string, choices: readonly T[]): Parsed<T> {
  return (choices as readonly string[]).includes(raw)
    ? ok(raw as T)
    : bad(`${name}: expected one of ${choices.join(", ")}, got ${shown(raw)}`);
}

/** Comma-separated list, e.g. `subnet-a,subnet-b`; empty items are an error, not silently dropped. */
export function parseList(name: string, raw: string): Parsed<string[]> {
  const items = raw.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) return bad(`${name}: expected a comma-separated list, got ${shown(raw)}`);
  return ok(items);
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration such as `90s`, `30m`, `2h`, `1h30m`, `1d` or a bare number of seconds.
 * Returns whole seconds.
 */
export function parseDuration(name: string, raw: string): Parsed<number> {
  const text = raw.trim().toLowerCase();
  if (/^\d+$/.test(text)) return ok(Number(text));
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
  const consumed = parts.map((m) => m[0]).join("");
  if (parts.length === 0 || consumed !== text) {
    return bad(`${name}: expected a duration such as 90s, 30m, 2h or 1h30m, got ${shown(raw)}`);
  }
  const seconds = parts.reduce((sum, m) => sum + Number(m[1]) * UNIT_SECONDS[m[2]!]!, 0);
  return ok(Math.round(seconds));
}

/** Collects problems while options are normalized, then throws them all at once. */
export class Problems {
  readonly list: string[] = [];

  /** The value when it parsed; otherwise records the problem and returns `undefined`. */
  take<T>(parsed: Parsed<T>): T | undefined {
    if (parsed.ok) return parsed.value;
    this.list.push(parsed.problem);
    return undefined;
  }

  /** Parses a value that must be given: `missing` is recorded when it is not. */
  required<T>(raw: string | undefined, missing: string, parse: (raw: string) => Parsed<T>): T | undefined {
    if (raw === undefined) {
      this.list.push(missing);
      return undefined;
    }
    return this.take(parse(raw));
  }

  add(problem: string): void {
    this.list.push(problem);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}
