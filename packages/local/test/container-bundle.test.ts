import { describe, expect, it } from "vitest";
import { containerArgs } from "../src/tasks/container.js";
import { type BundleSpec, bundleConfig, rlimits } from "../src/tasks/container-bundle.js";
import type { ContainerImage } from "../src/tasks/container-image.js";

const spec = (over: Partial<BundleSpec> = {}): BundleSpec => ({
  rootfs: "/bundle/rootfs",
  args: ["node", "/app/dist/bin.js"],
  env: { PORT: "8080" },
  cwd: "/",
  uid: 1000,
  gid: 1000,
  hostname: "task",
  memoryMiB: 512,
  cpuUnits: 256,
  ulimits: [],
  cgroupsPath: "/ecs-fanout/x",
  ...over,
});

interface Config {
  process: { rlimits: { type: string; soft: number; hard: number }[]; env: string[] };
  linux: {
    namespaces: { type: string }[];
    resources: { memory?: { limit: number }; cpu?: { quota: number; period: number } };
  };
}

describe("a container's OCI runtime config", () => {
  it("turns the task's memory into a hard cgroup memory limit and its cpu units into a CFS quota", () => {
    const c = bundleConfig(spec()) as unknown as Config;
    expect(c.linux.resources.memory?.limit).toBe(512 * 1024 * 1024);
    // 256 units = a quarter vCPU: 25 ms of every 100 ms.
    expect(c.linux.resources.cpu).toEqual({ quota: 25_000, period: 100_000 });
  });

  it("shares the host network (loopback task addresses work) but has its own pid, ipc, uts and mount namespaces", () => {
    const c = bundleConfig(spec()) as unknown as Config;
    expect(c.linux.namespaces.map((n) => n.type).sort()).toEqual(["ipc", "mount", "pid", "uts"]);
  });

  it("passes the task's environment as given", () => {
    const c = bundleConfig(spec({ env: { A: "1", B: "x=y" } })) as unknown as Config;
    expect(c.process.env).toEqual(["A=1", "B=x=y"]);
  });
});

describe("a container's rlimits", () => {
  it("default to Fargate's nofile 65535, capped at the host's hard limit (raising it needs CAP_SYS_RESOURCE)", () => {
    expect(rlimits([], new Map([["RLIMIT_NOFILE", 20_000]]))).toEqual([
      { type: "RLIMIT_NOFILE", soft: 20_000, hard: 20_000 },
    ]);
    expect(rlimits([], new Map())).toEqual([{ type: "RLIMIT_NOFILE", soft: 65535, hard: 65535 }]);
  });

  it("follow the definition's ulimits, still within the host's hard limits", () => {
    const got = rlimits(
      [
        { name: "nofile", softLimit: 1024, hardLimit: 4096 },
        { name: "nproc", softLimit: 100, hardLimit: 1_000_000 },
      ],
      new Map([["RLIMIT_NPROC", 5000]]),
    );
    expect(got).toEqual([
      { type: "RLIMIT_NOFILE", soft: 1024, hard: 4096 },
      { type: "RLIMIT_NPROC", soft: 100, hard: 5000 },
    ]);
  });
});

describe("a container's command", () => {
  const image = { entrypoint: ["/usr/bin/tini", "--"], cmd: ["node", "/app/dist/bin.js"] } as ContainerImage;
  it("is the image's entrypoint and CMD, with the definition's command replacing CMD", () => {
    expect(containerArgs(image, undefined, undefined)).toEqual([
      "/usr/bin/tini",
      "--",
      "node",
      "/app/dist/bin.js",
    ]);
    expect(containerArgs(image, undefined, ["node", "-v"])).toEqual(["/usr/bin/tini", "--", "node", "-v"]);
  });
  it("drops the image's CMD when the definition replaces the entrypoint, as Docker does", () => {
    expect(containerArgs(image, ["sh", "-c"], undefined)).toEqual(["sh", "-c"]);
  });
});
