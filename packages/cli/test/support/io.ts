import { PassThrough, Readable } from "node:stream";
import type { CliIo } from "../../src/io.js";

/** In-memory streams for calling `main()` in-process; `out()` and `err()` return what was written. */
export function memoryIo(options: { env?: NodeJS.ProcessEnv; home: string; cwd?: string }): CliIo & {
  out(): string;
  err(): string;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    home: options.home,
    out: () => out,
    err: () => err,
  };
}
