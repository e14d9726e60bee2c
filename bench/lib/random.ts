/**
 * Seeded randomness for the benchmark: the same seed gives the same workload on every machine,
 * so two reports differ only by the machine and the code, never by the dice.
 */

/** mulberry32: tiny, fast, good enough for workload shapes (not for cryptography). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [min, max], both ends included. */
export function uniformInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
