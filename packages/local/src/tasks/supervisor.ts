/**
 * The source of a tiny supervisor run with `node -e` between the endpoint and every task process.
 * It puts the task in its own process group, forwards TERM/KILL requests read from its stdin, and
 * kills the whole group when its stdin closes or its parent changes — so a task never outlives the
 * endpoint, even one killed with SIGKILL. It exits with the task's code (128+n for signal n) and
 * reports a failed spawn on fd 3.
 *
 * SIGTERM goes to the task's main process only, as the container runtime sends it to PID 1 (tini
 * forwards it to its one child, not the group): a worker can then let its ffmpeg children finish
 * while it drains. SIGKILL goes to the whole group, so nothing in the "container" survives it, and
 * the group is killed when the main process exits, as a container's processes die with its PID 1.
 *
 * The supervisor itself may be SIGKILLed (an out-of-memory killer, a user's kill -9). Its task
 * would then live on in its own group, so a watchdog (`sh`, in a session of its own, deaf to
 * HUP/INT/TERM) holds a pipe from the supervisor: the pipe's end-of-file — the supervisor gone,
 * however it went — makes the watchdog SIGKILL the task's group. A supervisor that exits normally
 * has already ended the group and SIGKILLs the watchdog first.
 */
export const SUPERVISOR_SOURCE = String.raw`
const { spawn } = require("node:child_process");
const { writeSync } = require("node:fs");
const { constants } = require("node:os");
const spec = JSON.parse(process.env.ECS_FANOUT_LOCAL_SPEC);
const parent = process.ppid;
// $1: the task's process group. read returns at end-of-file: the supervisor is gone.
const WATCHDOG = 'trap "" HUP INT TERM; read -r _; kill -KILL "-$1" 2>/dev/null; exit 0';
let child;
let orphaned = false;
const main = (sig) => {
  if (!child || child.pid === undefined) return;
  try { child.kill(sig); } catch {}
};
const group = (sig) => {
  if (!child || child.pid === undefined) return;
  try { process.kill(-child.pid, sig); } catch { try { child.kill(sig); } catch {} }
};
const orphan = () => {
  if (orphaned) return;
  orphaned = true;
  main("SIGTERM");
  setTimeout(() => { group("SIGKILL"); exit(137); }, spec.orphanGraceMs).unref();
};
try {
  child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ["ignore", "inherit", "inherit"], detached: true });
} catch (e) {
  try { writeSync(3, "error " + e.message + "\n"); } catch {}
  process.exit(127);
}
child.on("error", (e) => {
  try { writeSync(3, "error " + e.message + "\n"); } catch {}
  process.exit(127);
});
let watchdog;
child.on("spawn", () => {
  watchdog = spawn("/bin/sh", ["-c", WATCHDOG, "ecs-fanout-watchdog", String(child.pid)], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
  });
  watchdog.on("error", () => {});
  watchdog.stdin.on("error", () => {});
  watchdog.unref();
  try { writeSync(3, "started " + child.pid + "\n"); } catch {}
});
const exit = (code) => {
  try { watchdog && watchdog.kill("SIGKILL"); } catch {}
  process.exit(code);
};
child.on("exit", (code, signal) => {
  group("SIGKILL");
  exit(code ?? 128 + (constants.signals[signal] ?? 9));
});
let buffer = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    if (line === "TERM") main("SIGTERM");
    if (line === "KILL") group("SIGKILL");
    if (line === "STOP") group("SIGSTOP");
    if (line === "CONT") group("SIGCONT");
  }
});
process.stdin.on("end", orphan);
process.stdin.on("error", orphan);
process.on("SIGTERM", () => main("SIGTERM"));
process.on("SIGINT", () => {});
process.on("SIGHUP", orphan);
setInterval(() => { if (process.ppid !== parent) orphan(); }, 250).unref();
`;
