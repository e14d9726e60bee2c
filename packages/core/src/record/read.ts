import { createReadStream } from "node:fs";
import { checkSchema, expectedGot } from "@ecs-fanout/protocol";
import { ManifestError, type ValidationProblem } from "../errors.js";
import { type ManifestRecord, manifestRecordSchema } from "./schema.js";
import { MAX_LINE_BYTES } from "./writer.js";

/** A manifest as read back: every record in file order. */
export interface Manifest {
  readonly path: string;
  readonly records: readonly ManifestRecord[];
  /** The last line was cut short (the writer was killed mid-line); it was ignored. */
  readonly tornTail: boolean;
}

/** Limits for reading a manifest. */
export interface ReadManifestOptions {
  /** @default 262144 (what the writer never exceeds) */
  readonly maxLineBytes?: number;
  /** The most the file may hold. @default 1 GiB */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

const NEWLINE = 0x0a;

/**
 * Reads a run manifest (JSON lines) and validates every line against the one record schema. A
 * torn last line — a writer killed mid-line — is ignored and reported as `tornTail`; any other
 * bad line is a {@link ManifestError} naming the line. Reads are bounded by line and file size.
 */
export async function readManifest(path: string, options: ReadManifestOptions = {}): Promise<Manifest> {
  const maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const records: ManifestRecord[] = [];
  const problems: ValidationProblem[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let lineNo = 0;
  let tooLong = false;

  const takeLine = (): Buffer => {
    const line = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return line;
  };
  const parse = (line: Buffer, last: boolean): boolean => {
    lineNo += 1;
    const source = line.toString("utf8").trim();
    if (source === "") return true;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      if (last) return false;
      problems.push({ path: `line ${lineNo}`, message: expectedGot("a JSON object", source.slice(0, 40)) });
      return true;
    }
    const checked = checkSchema(manifestRecordSchema, value);
    if (checked.ok) records.push(checked.value);
    else if (last) return false;
    else
      for (const p of checked.problems)
        problems.push({ path: `line ${lineNo}${p.path === "" ? "" : `: ${p.path}`}`, message: p.message });
    return true;
  };

  const stream = createReadStream(path, { highWaterMark: 64 * 1024, signal: options.signal });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes)
        throw new ManifestError(path, [
          { path: "", message: expectedGot(`at most ${maxBytes} bytes`, "more") },
        ]);
      let from = 0;
      for (let nl = chunk.indexOf(NEWLINE, from); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
        const part = chunk.subarray(from, nl);
        from = nl + 1;
        if (tooLong || pendingBytes + part.length > maxLine) {
          lineNo += 1;
          problems.push({ path: `line ${lineNo}`, message: expectedGot(`at most ${maxLine} bytes`, "more") });
          pending = [];
          pendingBytes = 0;
          tooLong = false;
          continue;
        }
        pending.push(part);
        pendingBytes += part.length;
        parse(takeLine(), false);
      }
      const rest = chunk.subarray(from);
      if (!tooLong && pendingBytes + rest.length > maxLine) {
        tooLong = true;
        pending = [];
        pendingBytes = 0;
      } else if (!tooLong && rest.length > 0) {
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    throw new ManifestError(path, [{ path: "", message: `could not be read: ${String(error)}` }], {
      cause: error,
    });
  }
  // A last line without its newline was cut short by a crash, unless it reads whole.
  let tornTail = tooLong;
  if (!tooLong && pendingBytes > 0) tornTail = !parse(takeLine(), true);
  if (problems.length > 0) throw new ManifestError(path, problems);
  return Object.freeze({ path, records: Object.freeze(records), tornTail });
}
