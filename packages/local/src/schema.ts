/**
 * A very small schema for config files: each key has a description, a default and a check, so
 * every problem can be reported together in one "expected … got …" voice.
 */
export type Check = (value: unknown, path: string, problems: string[]) => void;

export const show = (value: unknown): string => {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
};

const expect = (problems: string[], path: string, what: string, value: unknown): void => {
  problems.push(`${path}: expected ${what}, got ${show(value)}`);
};

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const str =
  (opts: { min?: number; pattern?: RegExp; what?: string } = {}): Check =>
  (value, path, problems) => {
    const what = opts.what ?? "a string";
    if (typeof value !== "string") return expect(problems, path, what, value);
    if (value.length < (opts.min ?? 0) || (opts.pattern && !opts.pattern.test(value))) {
      expect(problems, path, what, value);
    }
  };

export const num =
  (opts: { min?: number; max?: number; integer?: boolean } = {}): Check =>
  (value, path, problems) => {
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false } = opts;
    const what = `${integer ? "an integer" : "a number"}${Number.isFinite(min) ? ` >= ${min}` : ""}${Number.isFinite(max) ? ` <= ${max}` : ""}`;
    if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
      return expect(problems, path, what, value);
    }
    if (integer && !Number.isInteger(value)) expect(problems, path, what, value);
  };

export const bool: Check = (value, path, problems) => {
  if (typeof value !== "boolean") expect(problems, path, "a boolean", value);
};

export const oneOf =
  (values: readonly string[]): Check =>
  (value, path, problems) => {
    if (typeof value !== "string" || !values.includes(value)) {
      expect(problems, path, `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`, value);
    }
  };

export const list =
  (item: Check, opts: { min?: number } = {}): Check =>
  (value, path, problems) => {
    if (!Array.isArray(value) || value.length < (opts.min ?? 0)) {
      return expect(problems, path, opts.min ? `an array of at least ${opts.min}` : "an array", value);
    }
    value.forEach((v, i) => {
      item(v, `${path}[${i}]`, problems);
    });
  };

export const stringMap: Check = (value, path, problems) => {
  if (!isRecord(value)) return expect(problems, path, "an object of strings", value);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") expect(problems, `${path}.${k}`, "a string", v);
  }
};

export interface Field {
  description: string;
  check: Check;
  required?: boolean;
}

/** An object whose keys are described; unknown keys are problems too (a typo must not pass silently). */
export const object =
  (fields: Record<string, Field>): Check =>
  (value, path, problems) => {
    if (!isRecord(value)) return expect(problems, path, "an object", value);
    for (const key of Object.keys(value)) {
      if (!(key in fields)) {
        problems.push(
          `${path}.${key}: expected one of the keys ${Object.keys(fields).join(", ")}, got "${key}"`,
        );
      }
    }
    for (const [key, field] of Object.entries(fields)) {
      const v = value[key];
      if (v === undefined) {
        if (field.required) expect(problems, `${path}.${key}`, field.description, v);
        continue;
      }
      field.check(v, `${path}.${key}`, problems);
    }
  };

export const optional = (description: string, check: Check): Field => ({ description, check });
export const required = (description: string, check: Check): Field => ({
  description,
  check,
  required: true,
});
