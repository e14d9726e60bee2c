import { Socket } from "node:net";

/** Bytes this process moved on the client sockets it opened while the meter ran. */
export interface SocketBytes {
  readonly read: number;
  readonly written: number;
  readonly sockets: number;
  /** Bytes read plus written, by the port the socket connected to. */
  readonly byPort: ReadonlyMap<number, number>;
}

/**
 * Counts the bytes on every TCP client socket this process connects from now on (plain, and TLS,
 * which connects through the same `Socket#connect`), until `stop()`: what an orchestrator in this
 * process sends and receives — ECS calls, its worker connections, its own S3 requests. Servers
 * in the process (the local endpoints) accept sockets rather than connect them, so they are not
 * counted; neither is anything a child process (a worker) moves.
 */
export function meterClientSockets(): { bytes(): SocketBytes; stop(): void } {
  const sockets = new Map<Socket, { port: number | undefined }>();
  const original = Socket.prototype.connect;
  Socket.prototype.connect = function connect(this: Socket, ...args: unknown[]) {
    if (!sockets.has(this)) {
      const seen: { port: number | undefined } = { port: undefined };
      sockets.set(this, seen);
      this.once("connect", () => {
        seen.port = this.remotePort;
      });
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof original;
  return {
    bytes() {
      let read = 0;
      let written = 0;
      const byPort = new Map<number, number>();
      for (const [s, { port }] of sockets) {
        read += s.bytesRead;
        written += s.bytesWritten;
        const key = port ?? 0;
        byPort.set(key, (byPort.get(key) ?? 0) + s.bytesRead + s.bytesWritten);
      }
      return { read, written, sockets: sockets.size, byPort };
    },
    stop() {
      Socket.prototype.connect = original;
    },
  };
}
