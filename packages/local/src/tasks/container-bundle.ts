import { readFileSync } from "node:fs";

/** What goes into one container's OCI runtime config (config.json of its runc bundle). */
export interface BundleSpec {
  /** The container's root filesystem (a writable overlay on the image's files). */
  rootfs: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid: number;
  gid: number;
  hostname: string;
  /** Hard memory limit in MiB (the cgroup's memory.limit_in_bytes); the OOM killer acts past it. */
  memoryMiB: number | undefined;
  /** CPU units (1024 = one vCPU) as a CFS quota: a hard ceiling, as on Fargate. */
  cpuUnits: number | undefined;
  /** ECS `ulimits` of the container definition. */
  ulimits: { name: string; softLimit: number; hardLimit: number }[];
  /** cgroup path below each controller's root. */
  cgroupsPath: string;
}

/** Docker's default capability set: what a container on ECS gets unless the definition adds or drops. */
const CAPABILITIES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

const CFS_PERIOD_US = 100_000;

/** The hard limits of this process (what an unprivileged runtime may grant without CAP_SYS_RESOURCE). */
export function hostHardLimits(): Map<string, number> {
  const limits = new Map<string, number>();
  try {
    const text = readFileSync("/proc/self/limits", "utf8");
    const names: Record<string, string> = {
      "Max open files": "RLIMIT_NOFILE",
      "Max processes": "RLIMIT_NPROC",
      "Max core file size": "RLIMIT_CORE",
      "Max stack size": "RLIMIT_STACK",
    };
    for (const line of text.split("\n")) {
      for (const [label, name] of Object.entries(names)) {
        if (!line.startsWith(label)) continue;
        const hard = line.slice(label.length).trim().split(/\s+/)[1];
        limits.set(name, hard === "unlimited" || hard === undefined ? Number.MAX_SAFE_INTEGER : Number(hard));
      }
    }
  } catch {
    // Not Linux: no limits known, the defaults below stand.
  }
  return limits;
}

/**
 * Explicit rlimits: Fargate's nofile default (65535), or the definition's `ulimits`, each capped at
 * this process's hard limit. Raising a hard limit needs CAP_SYS_RESOURCE, which a sandboxed host
 * may not have (podman's defaults fail exactly there), so a cap is applied, never an error.
 */
export function rlimits(
  ulimits: BundleSpec["ulimits"],
  hard = hostHardLimits(),
): { type: string; soft: number; hard: number }[] {
  const wanted = new Map<string, { soft: number; hard: number }>([
    ["RLIMIT_NOFILE", { soft: 65535, hard: 65535 }],
  ]);
  for (const u of ulimits)
    wanted.set(`RLIMIT_${u.name.toUpperCase()}`, { soft: u.softLimit, hard: u.hardLimit });
  return [...wanted].map(([type, l]) => {
    const cap = hard.get(type) ?? Number.MAX_SAFE_INTEGER;
    const h = Math.min(l.hard, cap);
    return { type, soft: Math.min(l.soft, h), hard: h };
  });
}

/** The OCI runtime config runc runs: host network (loopback addresses work as now), own pid/ipc/uts/mount. */
export function bundleConfig(spec: BundleSpec, hard = hostHardLimits()): Record<string, unknown> {
  const memory = spec.memoryMiB !== undefined ? spec.memoryMiB * 1024 * 1024 : undefined;
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: spec.uid, gid: spec.gid },
      args: spec.args,
      env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      cwd: spec.cwd,
      capabilities: { bounding: CAPABILITIES, effective: CAPABILITIES, permitted: CAPABILITIES },
      rlimits: rlimits(spec.ulimits, hard),
      noNewPrivileges: false,
    },
    root: { path: spec.rootfs, readonly: false },
    hostname: spec.hostname,
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
      },
      {
        destination: "/dev/mqueue",
        type: "mqueue",
        source: "mqueue",
        options: ["nosuid", "noexec", "nodev"],
      },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      // The container's own cgroups, read-only, as Docker shows them (a worker can read its limits).
      {
        destination: "/sys/fs/cgroup",
        type: "cgroup",
        source: "cgroup",
        options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
      },
      // Host network: the host's resolver and names, as Docker gives a host-network container.
      { destination: "/etc/resolv.conf", type: "bind", source: "/etc/resolv.conf", options: ["rbind", "ro"] },
      { destination: "/etc/hosts", type: "bind", source: "/etc/hosts", options: ["rbind", "ro"] },
    ],
    linux: {
      namespaces: [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }],
      cgroupsPath: spec.cgroupsPath,
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        ...(memory !== undefined ? { memory: { limit: memory, swap: memory } } : {}),
        ...(spec.cpuUnits !== undefined
          ? {
              cpu: {
                quota: Math.max(1000, Math.round((spec.cpuUnits / 1024) * CFS_PERIOD_US)),
                period: CFS_PERIOD_US,
              },
            }
          : {}),
      },
      maskedPaths: [
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
      ],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}
