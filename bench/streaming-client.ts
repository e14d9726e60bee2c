/**
 * Child process of the streaming benchmark: downloads a list of URLs to disk, one after another,
 * and prints one JSON line { ms, bytes, rssBeforeBytes, rssPeakBytes, files }. It runs alone so
 * its RSS growth belongs to the download and nothing else.
 *   argv: <mode: core|core-tls|protocol|plain> <destDir> <token> <url>[#bytes#sha256]...
 * core: the orchestrator's own download path (core's WorkerClient + downloadVerified: temp file,
 *   Range resume, size + sha256 check, atomic rename, size and rate bounds) — what a run with the
 *   plain-HTTP opt-out does per output.
 * core-tls: the same over TLS pinned to the certificate in the file FANOUT_BENCH_CERT names — what
 *   a default run does.
 * protocol: the protocol's output route over node:http, hashed on the way (no re-read).
 * plain: a plain GET piped to a file — the loopback baseline.
 */
import { createHash, X509Certificate } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { WorkerClient } from "../packages/core/src/worker/client.js";
import { downloadVerified } from "../packages/core/src/worker/download.js";
import { workerAgent } from "../packages/core/src/worker/pinned-agent.js";

const [mode, destDir, token, ...entries] = process.argv.slice(2);
if (
  (mode !== "core" && mode !== "core-tls" && mode !== "protocol" && mode !== "plain") ||
  !destDir ||
  !token
) {
  throw new Error(
    "usage: streaming-client <core|core-tls|protocol|plain> <destDir> <token> <url>[#bytes#sha256]...",
  );
}
const urls = entries.map((entry) => entry.split("#")[0] as string);

const agent = new http.Agent({ keepAlive: true });
let rssPeak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
}, 10);

// core's undici lives in core's node_modules; the root has none of its own.
type Dispatcher = ConstructorParameters<typeof WorkerClient>[3];
const undici = createRequire(new URL("../packages/core/package.json", import.meta.url))("undici") as {
  Agent: new (options: { connections: number }) => Dispatcher;
};
// core-tls: the run's own pinned agent, trusting only the worker's certificate.
const certPem = mode === "core-tls" ? readFileSync(process.env.FANOUT_BENCH_CERT ?? "", "utf8") : undefined;
const dispatcher: Dispatcher =
  certPem === undefined
    ? new undici.Agent({ connections: 8 })
    : workerAgent({
        token,
        tokenSha256: "",
        tls: { certPem, keyPem: "", fingerprint256: new X509Certificate(certPem).fingerprint256 },
      });

async function downloadWithCore(
  entry: string,
  index: number,
): Promise<{ bytes: number; sha256: string | null }> {
  const [url, bytes, sha256] = entry.split("#");
  const match = /^(https?:\/\/[^/]+)\/v1\/jobs\/([^/]+)\/output$/.exec(url ?? "");
  if (!match || !bytes || !sha256) throw new Error(`core mode needs <url>#<bytes>#<sha256>, got ${entry}`);
  const client = new WorkerClient(match[1] as string, token as string, "bench", dispatcher, 60_000);
  const file = path.join(destDir as string, `core-${index}.bin`);
  const got = await downloadVerified({
    client,
    jobId: match[2] as string,
    segmentId: match[2] as string,
    expected: { bytes: Number(bytes), sha256 },
    tempPath: `${file}.part`,
    finalPath: file,
    resumes: 0,
  });
  return { bytes: got.bytes, sha256: got.sha256 };
}

async function download(url: string, index: number): Promise<{ bytes: number; sha256: string | null }> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const headers: Record<string, string> = mode === "protocol" ? { authorization: `Bearer ${token}` } : {};
    http.get(url, { agent, headers }, resolve).once("error", reject);
  });
  if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
  const file = path.join(destDir!, `${mode}-${index}.bin`);
  let bytes = 0;
  if (mode === "plain") {
    res.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    await pipeline(res, createWriteStream(file));
    return { bytes, sha256: null };
  }
  const hash = createHash("sha256");
  res.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  await pipeline(res, createWriteStream(file));
  const sha256 = hash.digest("hex");
  const expected = res.headers["x-content-sha256"];
  if (typeof expected === "string" && expected !== sha256) {
    throw new Error(`${url}: sha256 ${sha256} does not match x-content-sha256 ${expected}`);
  }
  const expectedLength = Number(res.headers["content-length"]);
  if (Number.isFinite(expectedLength) && expectedLength !== bytes) {
    throw new Error(`${url}: short download, ${bytes} of ${expectedLength} bytes`);
  }
  return { bytes, sha256 };
}

const rssBefore = process.memoryUsage.rss();
const started = performance.now();
const files: Array<{ bytes: number; sha256: string | null }> = [];
for (const [index, url] of urls.entries()) {
  files.push(
    mode === "core" || mode === "core-tls"
      ? await downloadWithCore(entries[index] as string, index)
      : await download(url, index),
  );
}
const ms = performance.now() - started;
clearInterval(sampler);
rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
agent.destroy();
await dispatcher.close();
process.stdout.write(
  `${JSON.stringify({ ms, bytes: files.reduce((sum, f) => sum + f.bytes, 0), rssBeforeBytes: rssBefore, rssPeakBytes: rssPeak, files })}\n`,
);
