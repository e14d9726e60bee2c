import type { InstanceRequirements } from "../config.js";

/** An EC2 instance type Managed Instances can launch here. */
export interface InstanceType {
  name: string;
  vCpus: number;
  memoryMiB: number;
  cpuManufacturer: "intel" | "amd" | "amazon-web-services";
  gpus: number;
  accelerator?: { type: "gpu"; manufacturer: "nvidia"; name: string; totalMemoryMiB: number };
  /** us-east-1 Linux On-Demand $/h: only used to pick the cheapest match, as AWS does. */
  rankUsd: number;
}

const gpu = (name: string, perGpuMiB: number, count: number) => ({
  type: "gpu" as const,
  manufacturer: "nvidia" as const,
  name,
  totalMemoryMiB: perGpuMiB * count,
});

/**
 * The types the endpoint knows, cheapest first (specs from the EC2 instance type pages; the GPU
 * prices are the table in the cost model). Real Managed Instances choose among every type.
 */
export const INSTANCE_TYPES: readonly InstanceType[] = [
  { name: "c6i.large", vCpus: 2, memoryMiB: 4096, cpuManufacturer: "intel", gpus: 0, rankUsd: 0.085 },
  { name: "m6a.large", vCpus: 2, memoryMiB: 8192, cpuManufacturer: "amd", gpus: 0, rankUsd: 0.0864 },
  { name: "m6i.xlarge", vCpus: 4, memoryMiB: 16384, cpuManufacturer: "intel", gpus: 0, rankUsd: 0.192 },
  { name: "c6a.2xlarge", vCpus: 8, memoryMiB: 16384, cpuManufacturer: "amd", gpus: 0, rankUsd: 0.306 },
  {
    name: "g4dn.xlarge",
    vCpus: 4,
    memoryMiB: 16384,
    cpuManufacturer: "intel",
    gpus: 1,
    accelerator: gpu("t4", 16384, 1),
    rankUsd: 0.526,
  },
  {
    name: "g4dn.2xlarge",
    vCpus: 8,
    memoryMiB: 32768,
    cpuManufacturer: "intel",
    gpus: 1,
    accelerator: gpu("t4", 16384, 1),
    rankUsd: 0.752,
  },
  {
    name: "g6.xlarge",
    vCpus: 4,
    memoryMiB: 16384,
    cpuManufacturer: "amd",
    gpus: 1,
    accelerator: gpu("l4", 24576, 1),
    rankUsd: 0.8048,
  },
  {
    name: "g5.xlarge",
    vCpus: 4,
    memoryMiB: 16384,
    cpuManufacturer: "amd",
    gpus: 1,
    accelerator: gpu("a10g", 24576, 1),
    rankUsd: 1.006,
  },
  {
    name: "g5.2xlarge",
    vCpus: 8,
    memoryMiB: 32768,
    cpuManufacturer: "amd",
    gpus: 1,
    accelerator: gpu("a10g", 24576, 1),
    rankUsd: 1.212,
  },
  {
    name: "g6e.xlarge",
    vCpus: 4,
    memoryMiB: 32768,
    cpuManufacturer: "amd",
    gpus: 1,
    accelerator: gpu("l40s", 49152, 1),
    rankUsd: 1.861,
  },
  {
    name: "g4dn.12xlarge",
    vCpus: 48,
    memoryMiB: 196608,
    cpuManufacturer: "intel",
    gpus: 4,
    accelerator: gpu("t4", 16384, 4),
    rankUsd: 3.912,
  },
  {
    name: "g5.12xlarge",
    vCpus: 48,
    memoryMiB: 196608,
    cpuManufacturer: "amd",
    gpus: 4,
    accelerator: gpu("a10g", 24576, 4),
    rankUsd: 5.672,
  },
];

/** Memory the instance registers with ECS: what the OS and the agent leave (about 1 GiB less). */
export const registeredMemory = (t: InstanceType): number => t.memoryMiB - (t.memoryMiB >= 8192 ? 1024 : 512);

const inRange = (value: number, r: { min?: number; max?: number } | undefined): boolean =>
  r === undefined || ((r.min === undefined || value >= r.min) && (r.max === undefined || value <= r.max));

/** `c6i.*`, `m6*.*`, `g5.xlarge`: the wildcards of allowedInstanceTypes and excludedInstanceTypes. */
const globMatch = (pattern: string, name: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`).test(name);

/**
 * The types that meet the requirements, cheapest first. Without requirements, AWS picks
 * general-purpose types: no accelerators.
 */
export function matchingTypes(req: InstanceRequirements | undefined): InstanceType[] {
  if (!req) return INSTANCE_TYPES.filter((t) => t.gpus === 0);
  return INSTANCE_TYPES.filter((t) => {
    const a = t.accelerator;
    return (
      t.vCpus >= req.vCpuCount.min &&
      (req.vCpuCount.max === undefined || t.vCpus <= req.vCpuCount.max) &&
      t.memoryMiB >= req.memoryMiB.min &&
      (req.memoryMiB.max === undefined || t.memoryMiB <= req.memoryMiB.max) &&
      (!req.cpuManufacturers || req.cpuManufacturers.includes(t.cpuManufacturer)) &&
      (!req.acceleratorTypes || (a !== undefined && req.acceleratorTypes.includes(a.type))) &&
      (!req.acceleratorManufacturers ||
        (a !== undefined && req.acceleratorManufacturers.includes(a.manufacturer))) &&
      (!req.acceleratorNames || (a !== undefined && (req.acceleratorNames as string[]).includes(a.name))) &&
      inRange(t.gpus, req.acceleratorCount) &&
      inRange(a?.totalMemoryMiB ?? 0, req.acceleratorTotalMemoryMiB) &&
      (!req.allowedInstanceTypes || req.allowedInstanceTypes.some((p) => globMatch(p, t.name))) &&
      !(req.excludedInstanceTypes ?? []).some((p) => globMatch(p, t.name))
    );
  });
}

/** What a task needs from one instance. */
export interface TaskNeeds {
  cpu: number;
  memory: number;
  gpus: number;
}

/** Why no type of `types` can ever hold the task (undefined: one can), as ECS words it. */
export function neverFitsTypes(types: readonly InstanceType[], task: TaskNeeds): string | undefined {
  if (!types.some((t) => t.gpus >= task.gpus)) return "RESOURCE:GPU";
  if (!types.some((t) => t.gpus >= task.gpus && t.vCpus * 1024 >= task.cpu)) return "RESOURCE:CPU";
  if (!types.some((t) => fitsType(t, task))) return "RESOURCE:MEMORY";
  return undefined;
}

export const fitsType = (t: InstanceType, task: TaskNeeds): boolean =>
  t.gpus >= task.gpus && t.vCpus * 1024 >= task.cpu && registeredMemory(t) >= task.memory;
