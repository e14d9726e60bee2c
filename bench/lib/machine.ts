import os from "node:os";

export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  kernel: string;
  node: string;
  date: string;
}

/** What the numbers were measured on: ratios travel between machines, absolute times do not. */
export function describeMachine(now = new Date()): MachineDescription {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    date: now.toISOString(),
  };
}
