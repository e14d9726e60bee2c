import type { FaultConfig } from "./config.js";

export const CAPACITY_UNAVAILABLE =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";

/** mulberry32: tiny, fast and good enough for deciding faults reproducibly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash = (text: string): number => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};

/**
 * Fault decisions, deterministic from the seed: each kind of fault draws from its own stream,
 * so e.g. throttling more calls does not change which tasks crash.
 */
export class Faults {
  private config: FaultConfig = {};
  private streams = new Map<string, () => number>();
  private scriptIndex = 0;

  constructor(config: FaultConfig) {
    this.set(config);
  }

  /** Merge a partial config; a new seed or script restarts the affected sequences. */
  set(partial: FaultConfig): void {
    if (partial.seed !== undefined && partial.seed !== this.config.seed) this.streams.clear();
    if (partial.placementFailures?.script) this.scriptIndex = 0;
    this.config = { ...this.config, ...partial };
  }

  get current(): Readonly<FaultConfig> {
    return this.config;
  }

  private draw(purpose: string): number {
    let next = this.streams.get(purpose);
    if (!next) {
      next = mulberry32(hash(`${this.config.seed ?? 1}:${purpose}`));
      this.streams.set(purpose, next);
    }
    return next();
  }

  private chance(purpose: string, fraction: number | undefined): boolean {
    if (!fraction) return false;
    return this.draw(purpose) < fraction;
  }

  throttles(action: string): boolean {
    const t = this.config.throttle;
    if (!t || (t.actions && !t.actions.includes(action))) return false;
    return this.chance("throttle", t.fraction);
  }

  /** The failure reason for one task placement, or undefined when it may be placed. */
  placementFailure(launchType: string, capacityProvider: string | undefined): string | undefined {
    if (this.config.spotCapacityUnavailable && capacityProvider === "FARGATE_SPOT")
      return CAPACITY_UNAVAILABLE;
    const p = this.config.placementFailures;
    if (!p) return undefined;
    const kinds = [launchType, capacityProvider].filter((k): k is string => k !== undefined);
    if (p.launchTypes && !kinds.some((k) => p.launchTypes?.includes(k))) return undefined;
    if (p.script && this.scriptIndex < p.script.length) {
      const entry = p.script[this.scriptIndex++];
      return entry ? entry : undefined;
    }
    return this.chance("placement", p.fraction) ? (p.reason ?? CAPACITY_UNAVAILABLE) : undefined;
  }

  startupDelayMs(): number {
    const d = this.config.startupDelayMs;
    if (!d) return 0;
    return Math.round(d.min + this.draw("startup") * (d.max - d.min));
  }

  /** Milliseconds after RUNNING when this Spot task is interrupted, if it is. */
  spotInterruptionAfterMs(): number | undefined {
    const s = this.config.spotInterruptions;
    return s && this.chance("spot", s.fraction) ? s.afterMs : undefined;
  }

  /** Milliseconds after registering when this Managed Instances Spot instance is reclaimed, if it is. */
  instanceReclaimAfterMs(): number | undefined {
    const r = this.config.instanceReclaims;
    return r && this.chance("reclaim", r.fraction) ? r.afterMs : undefined;
  }

  crashAfterMs(): number | undefined {
    const c = this.config.crashes;
    return c && this.chance("crash", c.fraction) ? c.afterMs : undefined;
  }

  get missingMs(): number {
    return this.config.missingMs ?? 0;
  }
}
