import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalEcsStartError } from "../errors.js";

const toInt = (ip: string): number => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");

const LOCK_DIR = join(tmpdir(), "ecs-fanout-local-addresses");

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * A machine-wide claim on an address: a lock file holding our pid. Several endpoints (parallel
 * test files, a dev server beside tests) share the default pools; a claim whose owner died is
 * taken over.
 */
function claim(ip: string): boolean {
  const file = join(LOCK_DIR, ip);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        mkdirSync(LOCK_DIR, { recursive: true });
        continue;
      }
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") return true; // no locking possible: probe only
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(file, "utf8"));
      } catch {
        // vanished meanwhile: try again
      }
      if (Number.isInteger(owner) && pidAlive(owner)) return false;
      try {
        unlinkSync(file);
      } catch {
        // another endpoint took it over first
      }
    }
  }
  return false;
}

function unclaim(ip: string): void {
  try {
    if (Number(readFileSync(join(LOCK_DIR, ip), "utf8")) === process.pid) unlinkSync(join(LOCK_DIR, ip));
  } catch {
    // already gone
  }
}

/**
 * A pool of loopback addresses from a CIDR. Addresses are handed out round-robin so a freed one
 * is reused as late as possible (like a real subnet, a reused IP must not fool a client), and
 * claimed machine-wide so two endpoints never hand out the same one.
 */
export class AddressPool {
  private readonly first: number;
  private readonly size: number;
  private cursor = 0;
  private readonly used = new Set<string>();

  constructor(readonly cidr: string) {
    const [base = "", bits = "24"] = cidr.split("/");
    const prefix = Number(bits);
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const network = (toInt(base) & mask) >>> 0;
    this.first = network + 1; // skip the network address and, below, the broadcast address
    this.size = 2 ** (32 - prefix) - 2;
    // Start somewhere random: several endpoints on one machine (parallel test files) share the pool.
    this.cursor = Math.floor(Math.random() * this.size);
  }

  get available(): number {
    return this.size - this.used.size;
  }

  allocate(): string | undefined {
    for (let i = 0; i < this.size; i++) {
      const ip = toIp(this.first + ((this.cursor + i) % this.size));
      if (!this.used.has(ip) && claim(ip)) {
        this.cursor = (this.cursor + i + 1) % this.size;
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  release(ip: string | undefined): void {
    if (!ip || !this.used.has(ip)) return;
    this.used.delete(ip);
    unclaim(ip);
  }

  /** Give every claimed address back (the endpoint closes). */
  releaseAll(): void {
    for (const ip of [...this.used]) this.release(ip);
  }

  /** The first address of the pool, used to check the pool is bindable on this machine. */
  sample(): string {
    return toIp(this.first);
  }
}

/** Fail early and clearly where only 127.0.0.1 is loopback (macOS without lo0 aliases). */
export async function assertBindable(ip: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (cause) =>
      reject(
        new LocalEcsStartError(
          `cannot bind loopback address ${ip}: on macOS add it with \`sudo ifconfig lo0 alias ${ip}\`, or choose other addresses`,
          { cause },
        ),
      ),
    );
    server.listen(0, ip, () => server.close(() => resolve()));
  });
}

/** A TCP forwarder from a public address to the task's private address, port for port. */
export class Forwarder {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();

  async listen(publicIp: string, privateIp: string, ports: number[]): Promise<void> {
    for (const port of ports) {
      const server = net.createServer((client) => {
        const upstream = net.connect(port, privateIp);
        for (const s of [client, upstream]) {
          this.sockets.add(s);
          s.on("close", () => this.sockets.delete(s));
          s.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, publicIp, () => resolve());
      });
      this.servers.push(server);
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.length = 0;
  }
}

/**
 * An address from the pool on which every given TCP port is free: another endpoint on this machine
 * may be using the same pool, so an address is probed before a task gets it.
 */
export async function allocateFree(pool: AddressPool, ports: number[]): Promise<string | undefined> {
  const skipped: string[] = [];
  try {
    for (;;) {
      const ip = pool.allocate();
      if (!ip) return undefined;
      const free = await Promise.all(ports.map((p) => portFree(ip, p)));
      if (free.every(Boolean)) return ip;
      skipped.push(ip);
    }
  } finally {
    for (const ip of skipped) pool.release(ip);
  }
}

/** Whether `port` is free on `ip` (for dynamic host ports in bridge mode). */
export async function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}
