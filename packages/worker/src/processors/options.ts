import { describe } from "../protocol.js";

/**
 * Reads one processor's raw options, collecting every problem in the
 * "expected … got …" voice instead of stopping at the first.
 */
export class OptionReader {
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly prefix = "",
  ) {}

  private take(key: string): unknown {
    this.seen.add(key);
    return this.raw[key];
  }

  private fail(key: string, expected: string, got: unknown): void {
    this.problems.push(`${this.prefix}${key}: expected ${expected}, got ${describe(got)}`);
  }

  number(key: string, rule: { min: number; max: number; integer?: boolean }): number | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    const kind = rule.integer ? "an integer" : "a number";
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      (rule.integer && !Number.isInteger(value)) ||
      value < rule.min ||
      value > rule.max
    ) {
      this.fail(key, `${kind} in ${rule.min}..${rule.max}`, value);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string | number>(key: string, choices: readonly T[]): T | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (!choices.includes(value as T)) {
      this.fail(key, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`, value);
      return undefined;
    }
    return value as T;
  }

  boolean(key: string): boolean | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") {
      this.fail(key, "true or false", value);
      return undefined;
    }
    return value;
  }

  string(
    key: string,
    rule: { maxLength: number; pattern?: RegExp } = { maxLength: 1024 },
  ): string | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.length === 0 || value.length > rule.maxLength) {
      this.fail(key, `a non-empty string of at most ${rule.maxLength} characters`, value);
      return undefined;
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      this.fail(key, `a string matching ${rule.pattern}`, value);
      return undefined;
    }
    return value;
  }

  /** A nested object read with its own reader (problems are merged back). */
  object<T>(key: string, read: (nested: OptionReader) => T): T | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.fail(key, "an object", value);
      return undefined;
    }
    const nested = new OptionReader(value as Record<string, unknown>, `${this.prefix}${key}.`);
    const result = read(nested);
    nested.finish();
    this.problems.push(...nested.problems);
    return result;
  }

  /** Reports keys nobody asked for (typos must not pass silently). */
  finish(): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.seen.has(key)) this.problems.push(`${this.prefix}${key}: unknown option`);
    }
  }

  addProblem(problem: string): void {
    this.problems.push(problem);
  }
}
