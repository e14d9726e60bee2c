/**
 * Child process of the streaming benchmark: the simplest possible loopback file server
 * (GET /<n> streams the n-th file given on the command line), as the baseline a download
 * through the worker protocol is compared with. Prints {"port":N} once listening.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";

const files = process.argv.slice(2);
const server = http.createServer(async (req, res) => {
  const file = files[Number((req.url ?? "").slice(1))];
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  const { size } = await stat(file);
  res.writeHead(200, { "content-length": String(size), "content-type": "application/octet-stream" });
  createReadStream(file).pipe(res);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address !== "string")
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
