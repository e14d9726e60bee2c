/**
 * Tasks as real OCI containers (runtime: "container"): runc, from the CPU worker image built by
 * scripts/build-image.sh. Skipped, with the reason, where that cannot work (not Linux, not root,
 * no runc/buildah, image not built) — unless ECS_FANOUT_REQUIRE_CONTAINERS=1 (CI), where a
 * missing piece is a failure instead.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { containerRuntimeProblem } from "../src/index.js";
import {
  alive,
  type Clients,
  fargateTaskDef,
  fileHarness,
  privateIp,
  runOne,
  waitFor,
  waitForStatus,
} from "./helpers.js";

const IMAGE = process.env["ECS_FANOUT_IMAGE"] ?? "localhost/ecs-fanout-worker:cpu";

function unavailable(): string | undefined {
  const problem = containerRuntimeProblem();
  if (problem) return problem;
  try {
    execFileSync("buildah", ["inspect", "--type", "image", IMAGE], { stdio: "ignore", timeout: 30_000 });
  } catch {
    return `image ${IMAGE} is not in buildah's local storage (build it: scripts/build-image.sh)`;
  }
  return undefined;
}

const why = unavailable();
if (why && process.env["ECS_FANOUT_REQUIRE_CONTAINERS"] === "1") {
  throw new Error(`container runtime tests are required here (ECS_FANOUT_REQUIRE_CONTAINERS=1) but: ${why}`);
}
if (why) console.warn(`skipping the container runtime tests: ${why}`);

/** A one-container Fargate definition of the image, running `script` with the image's node. */
const definition = (
  script: string | undefined,
  opts: { cpu?: string; memory?: string; env?: Record<string, string>; stopTimeout?: number } = {},
) => {
  const def = fargateTaskDef({ cpu: opts.cpu ?? "256", memory: opts.memory ?? "512" }, opts.env ?? {});
  const c = def.containerDefinitions![0]!;
  c.image = IMAGE;
  if (script !== undefined) c.command = ["node", "-e", script];
  if (opts.stopTimeout !== undefined) c.stopTimeout = opts.stopTimeout;
  return def;
};

async function logLines(h: Pick<Clients, "logs">, arn: string): Promise<string[]> {
  const id = arn.split("/").pop() ?? "";
  const out = await h.logs.send(
    new GetLogEventsCommand({ logGroupName: "/ecs/worker", logStreamName: `fanout/worker/${id}` }),
  );
  return (out.events ?? []).map((e) => e.message ?? "");
}

const waitForLog = (h: Pick<Clients, "logs">, arn: string, line: string) =>
  waitFor(
    `"${line}" in the task's log`,
    async () => ((await logLines(h, arn)).includes(line) ? true : undefined),
    60_000,
  );

/** The runc containers of the local endpoint. */
const ourContainers = (): string[] =>
  execFileSync("runc", ["list", "-q"], { encoding: "utf8" })
    .split("\n")
    .filter((id) => id.startsWith("ecs-fanout-"));

/** The parent pid of a live process, from /proc/<pid>/stat ("pid (comm) state ppid ..."). */
const parentOf = (pid: number): number =>
  Number(/\) \S+ (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1] ?? Number.NaN);

describe.skipIf(why !== undefined)("the container runtime", () => {
  const h = fileHarness({
    runtime: "container",
    timings: { stopTimeoutMsScale: 1, healthCheckMsScale: 0.05 },
  });

  it("kills a container that outgrows its task's memory: exit code 137 and the reason AWS gives", {
    timeout: 300_000,
  }, async () => {
    // Buffers live outside the V8 heap, so only the cgroup's 512 MiB can stop this.
    const arn = await runOne(h, {
      definition: definition("const a = []; for (;;) a.push(Buffer.alloc(16 << 20, 1));"),
    });
    const task = await waitForStatus(h, arn, "STOPPED", "default", 280_000);
    expect(task.containers?.[0]?.exitCode).toBe(137);
    expect(task.containers?.[0]?.reason).toBe("OutOfMemoryError: Container killed due to memory usage");
    expect(task.stopCode).toBe("EssentialContainerExited");
    expect(task.stoppedReason).toBe("Essential container in task exited");
  });

  it("gives the container its task's cpu and memory as cgroup limits", { timeout: 300_000 }, async () => {
    const read = (f: string) => `require("fs").readFileSync("/sys/fs/cgroup/${f}", "utf8").trim()`;
    const arn = await runOne(h, {
      definition: definition(
        `console.log("limits", ${read("memory/memory.limit_in_bytes")}, ${read("cpu/cpu.cfs_quota_us")}, ${read("cpu/cpu.cfs_period_us")})`,
        { cpu: "512", memory: "1024" },
      ),
    });
    await waitForStatus(h, arn, "STOPPED", "default", 280_000);
    expect(await logLines(h, arn)).toContain(`limits ${1024 * 1024 * 1024} 50000 100000`);
  });

  it("runs with the task's environment, not the host's, as the image's user, listening on the task's address and PORT", {
    timeout: 300_000,
  }, async () => {
    const server = `require("http").createServer((q, s) => s.end(JSON.stringify({
        greeting: process.env.GREETING, home: process.env.HOME, path: process.env.PATH,
        tmpdir: process.env.TMPDIR ?? null, uid: process.getuid(), port: process.env.PORT,
      }))).listen(Number(process.env.PORT), process.env.HOST, () => console.log("listening"));`;
    const arn = await runOne(h, { definition: definition(server, { env: { GREETING: "hello" } }) });
    const task = await waitForStatus(h, arn, "RUNNING", "default", 60_000);
    await waitForLog(h, arn, "listening");
    const res = await fetch(`http://${privateIp(task)}:8080/`);
    expect(await res.json()).toEqual({
      greeting: "hello",
      home: "/home/node",
      path: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      tmpdir: null,
      uid: 1000,
      port: "8080",
    });
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    await waitForStatus(h, arn, "STOPPED", "default", 60_000);
  });

  it("delivers StopTask's SIGTERM to the process in the container, which may drain and exit 0", {
    timeout: 300_000,
  }, async () => {
    const arn = await runOne(h, {
      definition: definition(
        `process.on("SIGTERM", () => { console.log("draining"); setTimeout(() => process.exit(0), 200); });
         console.log("ready"); setInterval(() => {}, 1000);`,
      ),
    });
    await waitForStatus(h, arn, "RUNNING", "default", 60_000);
    await waitForLog(h, arn, "ready");
    await h.ecs.send(new StopTaskCommand({ task: arn, reason: "done" }));
    const task = await waitForStatus(h, arn, "STOPPED", "default", 60_000);
    expect(task.containers?.[0]?.exitCode).toBe(0);
    expect(task.stopCode).toBe("UserInitiated");
    expect(await logLines(h, arn)).toContain("draining");
  });

  it("SIGKILLs a container that ignores SIGTERM once its stopTimeout has passed: exit 137", {
    timeout: 300_000,
  }, async () => {
    const arn = await runOne(h, {
      definition: definition(
        `process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); setInterval(() => {}, 1000);`,
        {
          stopTimeout: 2,
        },
      ),
    });
    await waitForStatus(h, arn, "RUNNING", "default", 60_000);
    await waitForLog(h, arn, "ready");
    const stopAt = Date.now();
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    const task = await waitForStatus(h, arn, "STOPPED", "default", 60_000);
    expect(task.containers?.[0]?.exitCode).toBe(137);
    expect(task.containers?.[0]?.reason).toBeUndefined();
    expect((task.executionStoppedAt?.getTime() ?? 0) - stopAt).toBeGreaterThanOrEqual(2000);
    expect(await logLines(h, arn)).toContain("ignoring SIGTERM");
  });

  it("runs the container's healthCheck inside the container (its user and files): healthStatus turns HEALTHY", {
    timeout: 120_000,
  }, async () => {
    // The file exists only in the container's root filesystem, and only once the task says so.
    const marker = `/tmp/healthy-${process.pid}-${Date.now()}`;
    const def = definition(
      `setTimeout(() => { require("fs").writeFileSync(${JSON.stringify(marker)}, ""); console.log("ready"); }, 500);
       setInterval(() => {}, 1000);`,
    );
    def.containerDefinitions![0]!.healthCheck = {
      command: ["CMD-SHELL", `test "$(id -u)" = 1000 && test -f ${marker}`],
      interval: 5,
      timeout: 2,
      retries: 1,
    };
    const arn = await runOne(h, { definition: def });
    await waitForStatus(h, arn, "RUNNING", "default", 60_000);
    await waitForLog(h, arn, "ready");
    expect(existsSync(marker)).toBe(false);
    await waitFor(
      "healthStatus HEALTHY",
      async () => {
        const out = await h.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [arn] }));
        return out.tasks?.[0]?.healthStatus === "HEALTHY" ? true : undefined;
      },
      30_000,
    );
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    await waitForStatus(h, arn, "STOPPED", "default", 60_000);
  });

  it("fails a task whose image is not in local storage as ECS does when a pull fails", {
    timeout: 60_000,
  }, async () => {
    const def = definition(undefined);
    def.containerDefinitions![0]!.image = "localhost/no-such-image:1";
    const arn = await runOne(h, { definition: def });
    const task = await waitForStatus(h, arn, "STOPPED", "default", 30_000);
    expect(task.stopCode).toBe("TaskFailedToStart");
    expect(task.stoppedReason).toMatch(/^CannotPullContainerError: .*localhost\/no-such-image:1: not found/);
  });

  it("cleans up after a container supervisor that is SIGKILLed: no container, process, mount or bundle is left", {
    timeout: 120_000,
  }, async () => {
    const arn = await runOne(h, {
      definition: definition(
        `process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000);`,
      ),
    });
    await waitForStatus(h, arn, "RUNNING", "default", 60_000);
    await waitForLog(h, arn, "ready");
    const taskId = arn.split("/").pop() ?? "";
    const id = ourContainers().find((c) => c.includes(taskId));
    expect(id).toBeDefined();
    const state = JSON.parse(execFileSync("runc", ["state", id ?? ""], { encoding: "utf8" })) as {
      pid: number;
      bundle: string;
    };
    expect(alive(state.pid)).toBe(true);
    // The supervisor is the parent of `runc run … <id>`, which is the parent of the container's PID 1.
    const supervisor = parentOf(parentOf(state.pid));
    expect(readFileSync(`/proc/${supervisor}/environ`, "utf8")).toContain("ECS_FANOUT_LOCAL_SPEC=");
    process.kill(supervisor, "SIGKILL");
    await waitFor(
      "the container, its process, mount and bundle to be gone",
      async () =>
        !ourContainers().includes(id ?? "") &&
        !alive(state.pid) &&
        !existsSync(state.bundle) &&
        !readFileSync("/proc/mounts", "utf8").includes(state.bundle)
          ? true
          : undefined,
      30_000,
    );
    const task = await waitForStatus(h, arn, "STOPPED", "default", 30_000);
    expect(task.containers?.[0]?.exitCode).toBe(137);
  });

  it("leaves no container, bundle or mount behind once its tasks stopped", { timeout: 60_000 }, async () => {
    await waitFor("every container to be gone", async () => {
      const ours = ourContainers();
      const bundles = existsSync(join(tmpdir(), "ecs-fanout-runc"))
        ? readdirSync(join(tmpdir(), "ecs-fanout-runc"))
        : [];
      return ours.length === 0 && bundles.length === 0 ? true : undefined;
    });
    expect(h.local.runningProcesses()).toBe(0);
  });
});
