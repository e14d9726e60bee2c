import { ApiError } from "./errors.js";

/** Readers for request members: each checks the JSON type and throws the AWS-style error. */
const invalid = (message: string) => new ApiError("InvalidParameterException", message);

export function reqString(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== "string" || v === "") {
    throw invalid(
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

export function optString(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`${key} must be a string`);
  return v;
}

export function optInt(
  input: Record<string, unknown>,
  key: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalid(`${key} must be an integer`);
  if ((range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max)) {
    throw invalid(`${key} must be between ${range.min ?? "-∞"} and ${range.max ?? "∞"}, got ${v}`);
  }
  return v;
}

export function optStringList(
  input: Record<string, unknown>,
  key: string,
  limits: { max?: number } = {},
): string[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
    throw invalid(`${key} must be a list of strings`);
  if (limits.max !== undefined && v.length > limits.max) {
    throw invalid(`${key} can have at most ${limits.max} items.`);
  }
  return v as string[];
}

export function optObject(input: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalid(`${key} must be an object`);
  return v as Record<string, unknown>;
}

export function optList(input: Record<string, unknown>, key: string): Record<string, unknown>[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((o) => typeof o !== "object" || o === null)) {
    throw invalid(`${key} must be a list of objects`);
  }
  return v as Record<string, unknown>[];
}
