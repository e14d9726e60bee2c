import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { WorkerConfig } from "../config.js";
import { MAX_WAIT_SECONDS } from "../protocol.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The worker's listening server: HTTPS with the configured certificate (plain HTTP only when
 * there is none, i.e. FANOUT_INSECURE_PLAIN_HTTP=1), with every deadline bounded: the TLS
 * handshake and the request head, the whole request, socket inactivity, and the number of
 * connections.
 */
export function createWorkerServer(config: WorkerConfig, handler: Handler): http.Server {
  const headersMs = config.headersTimeoutSeconds * 1000;
  const options: http.ServerOptions = {
    headersTimeout: headersMs,
    requestTimeout: config.requestTimeoutSeconds * 1000,
    // How often the two deadlines above are enforced (Node's default is 30 s).
    connectionsCheckingInterval: Math.min(1000, headersMs),
    keepAliveTimeout: 5_000,
    // Headers larger than this get 431 (Node's default, stated so it stays put).
    maxHeaderSize: 16 * 1024,
  };
  const server = config.tls
    ? https.createServer(
        {
          ...options,
          cert: config.tls.cert,
          key: config.tls.key,
          minVersion: "TLSv1.2",
          handshakeTimeout: headersMs,
        },
        handler,
      )
    : http.createServer(options, handler);
  // A socket quiet for longer than the longest long poll plus the body deadline is dead.
  server.setTimeout((MAX_WAIT_SECONDS + config.bodyIdleTimeoutSeconds) * 1000);
  server.maxConnections = config.maxConnections;
  return server;
}
