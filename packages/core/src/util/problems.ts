import type { ValidationProblem } from "../errors.js";

/** Collects validation problems so every one is reported together, in the same voice. */
export class Problems {
  readonly list: ValidationProblem[] = [];

  add(path: string, expected: string, got: unknown): void {
    this.list.push({ path, message: `expected ${expected}, got ${describe(got)}` });
  }

  /** Adds a problem unless `ok`; returns `ok` so callers can skip dependent checks. */
  check(ok: boolean, path: string, expected: string, got: unknown): boolean {
    if (!ok) this.add(path, expected, got);
    return ok;
  }

  integer(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
    if (value === undefined) return;
    this.check(
      typeof value === "number" && Number.isInteger(value) && value >= min && value <= max,
      path,
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`,
      value,
    );
  }

  number(value: unknown, path: string, min: number): void {
    if (value === undefined) return;
    this.check(
      typeof value === "number" && Number.isFinite(value) && value >= min,
      path,
      `a number ≥ ${min}`,
      value,
    );
  }

  nonEmptyString(value: unknown, path: string): void {
    this.check(typeof value === "string" && value.length > 0, path, "a non-empty string", value);
  }
}

/** Short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "function") return "a function";
  return `an object`;
}
