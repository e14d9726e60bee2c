import type { Tag } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../errors.js";

/**
 * Tags as AWS checks them: at most 50, key 1–128, value 0–256; `aws:` in any case is reserved as a
 * prefix "for either keys or values" (ECS API reference, Tag).
 */
export function validateTags(value: unknown, key = "tags"): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(`${key} must be a list`);
  if (value.length > 50)
    throw invalidParameter(`Too many tags: at most 50 tags are allowed, got ${value.length}.`);
  const seen = new Set<string>();
  return value.map((tag: unknown) => {
    const t = (tag ?? {}) as Record<string, unknown>;
    const k = t["key"];
    const v = t["value"] ?? "";
    if (typeof k !== "string" || k.length < 1 || k.length > 128) {
      throw invalidParameter("Tag keys must be between 1 and 128 characters.");
    }
    if (typeof v !== "string" || v.length > 256)
      throw invalidParameter("Tag values must be at most 256 characters.");
    if (/^aws:/i.test(k))
      throw invalidParameter(`Tag keys starting with 'aws:' are reserved for AWS use: ${k}`);
    if (/^aws:/i.test(v))
      throw invalidParameter(`Tag values starting with 'aws:' are reserved for AWS use (key ${k}).`);
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(k) || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(v)) {
      throw invalidParameter(`Tag ${k} contains characters that are not allowed.`);
    }
    if (seen.has(k)) throw invalidParameter(`Duplicate tag key: ${k}`);
    seen.add(k);
    return { key: k, value: v };
  });
}

export function validateStartedBy(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > 128 || !/^[A-Za-z0-9_/-]*$/.test(value)) {
    throw invalidParameter(
      "startedBy can be up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slash (/), and underscores (_).",
    );
  }
  return value;
}

export function validateClientToken(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length < 1 || value.length > 64 || !/^[\x21-\x7e]+$/.test(value)) {
    throw invalidParameter("clientToken must be 1 to 64 ASCII characters (33-126).");
  }
  return value;
}

/** CPU units from "1024", "1 vCPU", "1 vcpu", "0.25 vCPU". */
export function parseCpu(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
  if (!m) return Number.NaN;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

/** MiB from "2048", "2 GB", "2GB", "0.5 GB". */
export function parseMemory(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i.exec(value);
  if (!m) return Number.NaN;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/** The task-level CPU/memory pairs Fargate accepts (Linux). */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

/** Problems with a task-level cpu/memory pair on Fargate (empty when it is valid). */
export function fargateSizeProblems(cpu: number | undefined, memory: number | undefined): string[] {
  if (cpu === undefined || memory === undefined) {
    return ["Fargate requires task definition to have cpu and memory set at the task level"];
  }
  const allowed = FARGATE_SIZES.get(cpu);
  if (!allowed) return [`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`];
  if (!allowed.includes(memory)) {
    return [`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`];
  }
  return [];
}
