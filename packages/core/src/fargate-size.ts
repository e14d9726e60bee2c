/** The CPU/memory pairs Fargate accepts (CPU units: MiB). */
const FARGATE_MEMORY: Readonly<Record<number, { min: number; max: number; step: number } | number[]>> = {
  256: [512, 1024, 2048],
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** Why a CPU/memory pair is not a Fargate size, or undefined when it is. */
export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
  const allowed = FARGATE_MEMORY[cpu];
  if (allowed === undefined) return `cpu one of ${Object.keys(FARGATE_MEMORY).join(", ")}, got ${cpu}`;
  const ok = Array.isArray(allowed)
    ? allowed.includes(memory)
    : memory >= allowed.min && memory <= allowed.max && (memory - allowed.min) % allowed.step === 0;
  if (ok) return undefined;
  const range = Array.isArray(allowed)
    ? allowed.join(", ")
    : `${allowed.min}–${allowed.max} in steps of ${allowed.step}`;
  return `memory for ${cpu} CPU units of ${range} MiB, got ${memory}`;
}
