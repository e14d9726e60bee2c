import type { Readable, Writable } from "node:stream";

/** A writable stream the CLI prints to; `isTTY` and `columns` decide how progress looks. */
export type CliStream = Writable & { isTTY?: boolean; columns?: number };

/**
 * Everything the CLI touches outside itself, so tests can run `main()` in-process with
 * fake streams and environment. `stdout` carries results (the report, `--json`); `stderr`
 * carries progress, notices and errors.
 */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Home directory, where `~/.aws` is looked for. */
  home: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    home: process.env["HOME"] ?? process.env["USERPROFILE"] ?? "",
  };
}

export function println(stream: CliStream, line = ""): void {
  stream.write(`${line}\n`);
}
