/**
 * The source of the supervisor (run with `node -e`) between the endpoint and one runc container,
 * in the same role and stdin/fd 3 protocol as supervisor.ts for processes. It owns the container
 * from start to cleanup, so nothing outlives the endpoint even when the endpoint is SIGKILLed:
 *
 * - mounts a writable overlay (per container) on the image's shared read-only root filesystem,
 *   writes the bundle's config.json, and runs `runc run` in the foreground (stdout and stderr
 *   pass straight through; runc's exit code is the container's, 128+n for signal n);
 * - watches `runc events` for an `oom` event and reports it on fd 3 as the stop reason AWS gives;
 * - TERM sends the image's stop signal to the container's PID 1 and KILL sends SIGKILL (`runc
 *   kill`: with its own PID namespace, everything in the container dies with PID 1); a closed
 *   stdin or a new parent means the endpoint is gone: stop signal, then SIGKILL after a grace;
 * - on exit: `runc delete --force`, unmount, remove the bundle;
 * - the supervisor itself SIGKILLed: a watchdog (`sh`, in a session of its own, deaf to
 *   HUP/INT/TERM) reads a pipe from it and, at the pipe's end-of-file, does that cleanup in its
 *   place (`runc delete --force` SIGKILLs the container first). A supervisor that cleaned up
 *   itself SIGKILLs the watchdog before it exits.
 */
export const CONTAINER_SUPERVISOR_SOURCE = String.raw`
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const spec = JSON.parse(process.env.ECS_FANOUT_LOCAL_SPEC);
const parent = process.ppid;
const merged = path.join(spec.bundle, "rootfs");
const say = (line) => { try { fs.writeSync(3, line + "\n"); } catch {} };
const runc = (...args) => {
  try { execFileSync(spec.runc, args, { stdio: "ignore", timeout: 10000 }); return true; } catch { return false; }
};
// $1 the container id, $2 the mounted root filesystem, $3 the bundle.
const WATCHDOG = 'trap "" HUP INT TERM; read -r _; "$0" delete --force "$1" >/dev/null 2>&1; umount "$2" >/dev/null 2>&1 || umount -l "$2" >/dev/null 2>&1; rm -rf "$3"; exit 0';
const watchdog = spawn("/bin/sh", ["-c", WATCHDOG, spec.runc, spec.id, merged, spec.bundle], {
  stdio: ["pipe", "ignore", "ignore"],
  detached: true,
});
watchdog.on("error", () => {});
watchdog.stdin.on("error", () => {});
watchdog.unref();
const exit = (code) => {
  try { watchdog.kill("SIGKILL"); } catch {}
  process.exit(code);
};
let mounted = false;
let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  runc("delete", "--force", spec.id);
  if (mounted) { try { execFileSync("umount", [merged], { stdio: "ignore", timeout: 10000 }); } catch { try { execFileSync("umount", ["-l", merged], { stdio: "ignore" }); } catch {} } }
  try { fs.rmSync(spec.bundle, { recursive: true, force: true }); } catch {}
};
const fail = (message) => {
  say("error " + message);
  cleanup();
  exit(127);
};
try {
  for (const d of ["upper", "work", "rootfs"]) fs.mkdirSync(path.join(spec.bundle, d), { recursive: true });
  execFileSync("mount", ["-t", "overlay", "overlay", "-o",
    "lowerdir=" + spec.lower + ",upperdir=" + path.join(spec.bundle, "upper") + ",workdir=" + path.join(spec.bundle, "work"),
    merged], { stdio: ["ignore", "ignore", "pipe"], timeout: 10000 });
  mounted = true;
  fs.writeFileSync(path.join(spec.bundle, "config.json"), JSON.stringify(spec.config));
} catch (e) {
  fail("preparing the container's root filesystem: " + String(e.stderr || e.message).trim());
}
const child = spawn(spec.runc, ["run", "--bundle", spec.bundle, spec.id], { stdio: ["ignore", "inherit", "pipe"] });
let runcErr = "";
child.stderr.on("data", (d) => {
  process.stderr.write(d);
  if (runcErr.length < 4000) runcErr += d;
});
child.on("error", (e) => fail(e.message));
say("started " + child.pid);

// OOM: runc reports the cgroup's OOM notification as an event; retried until the container exists.
let events;
let oom = false;
let ended = false;
const watch = () => {
  if (ended) return;
  events = spawn(spec.runc, ["events", "--interval", "3600s", spec.id], { stdio: ["ignore", "pipe", "ignore"] });
  let buf = "";
  events.stdout.setEncoding("utf8");
  events.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.includes('"type":"oom"') && !oom) { oom = true; say("reason OutOfMemoryError: Container killed due to memory usage"); }
    }
  });
  events.on("exit", () => { if (!ended) setTimeout(watch, 100); });
};
setTimeout(watch, 50);

child.on("exit", (code, signal) => {
  ended = true;
  try { events && events.kill("SIGKILL"); } catch {}
  // runc itself failing before the process ran (bad config, cgroup refused) is a start failure.
  if (code !== 0 && /^time=.*level=error/m.test(runcErr) && !oom) say("error " + runcErr.trim().split("\n").pop());
  cleanup();
  exit(code ?? 128 + (require("node:os").constants.signals[signal] ?? 9));
});

let orphaned = false;
const orphan = () => {
  if (orphaned) return;
  orphaned = true;
  runc("kill", spec.id, spec.stopSignal);
  setTimeout(() => runc("kill", spec.id, "KILL"), spec.orphanGraceMs).unref();
};
let buffer = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    if (line === "TERM") runc("kill", spec.id, spec.stopSignal);
    if (line === "KILL") runc("kill", spec.id, "KILL");
    if (line === "STOP") runc("kill", spec.id, "STOP");
    if (line === "CONT") runc("kill", spec.id, "CONT");
  }
});
process.stdin.on("end", orphan);
process.stdin.on("error", orphan);
process.on("SIGTERM", () => runc("kill", spec.id, spec.stopSignal));
process.on("SIGINT", () => {});
process.on("SIGHUP", orphan);
setInterval(() => { if (process.ppid !== parent) orphan(); }, 250).unref();
`;
