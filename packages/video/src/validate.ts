import { VideoOptionsError } from "./errors.js";

/** Collects "expected … got …" problems so one error can report all of them together. */
export class Problems {
  readonly #list: string[] = [];

  constructor(readonly operation: string) {}

  add(name: string, expected: string, got: unknown): void {
    this.#list.push(`${name}: expected ${expected}, got ${describe(got)}`);
  }

  nonEmptyString(name: string, value: unknown): void {
    if (typeof value !== "string" || value.length === 0) this.add(name, "a non-empty string", value);
  }

  positiveNumber(name: string, value: unknown): void {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      this.add(name, "a finite number > 0", value);
    }
  }

  evenPositiveInteger(name: string, value: unknown): void {
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value % 2 !== 0) {
      this.add(name, "an even integer > 0 (H.264 yuv420p needs even sizes)", value);
    }
  }

  oneOf(name: string, value: unknown, allowed: readonly string[]): void {
    if (typeof value !== "string" || !allowed.includes(value)) {
      this.add(name, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, value);
    }
  }

  /** Throws VideoOptionsError listing every problem, if there are any. */
  throwIfAny(): void {
    if (this.#list.length > 0) throw new VideoOptionsError(this.operation, this.#list);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return typeof value;
}

/** libx264 presets, fastest first. */
export const X264_PRESETS = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow",
] as const;
/** One of {@link X264_PRESETS}: libx264 speed against size at the same quality. */
export type X264Preset = (typeof X264_PRESETS)[number];
