import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createRunIdentity, type RunIdentity } from "../../src/worker/run-identity.js";

/** A worker route table for tests: the handler sees every request the fake worker receives. */
export interface FakeWorker {
  readonly url: string;
  readonly identity: RunIdentity;
  /** Requests that reached the handler (none when TLS refused the connection). */
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/**
 * Listens on loopback with the certificate of `serveWith` (another run's identity plays an
 * impostor), or plain HTTP when that identity has no TLS.
 */
export async function startFakeWorker(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  serveWith: RunIdentity = createRunIdentity({ insecurePlainHttp: false }),
): Promise<FakeWorker> {
  const requests: IncomingMessage[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    handler(req, res);
  };
  const server =
    serveWith.tls === undefined
      ? createHttpServer(onRequest)
      : createHttpsServer({ cert: serveWith.tls.certPem, key: serveWith.tls.keyPem }, onRequest);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${serveWith.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    identity: serveWith,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A `/v1/info` body that passes the protocol's schema. */
export const infoBody = (over: Record<string, unknown> = {}) => ({
  worker: { name: "fake", version: "1" },
  runId: "run-1",
  taskArn: "arn:aws:ecs:us-east-1:1:task/c/t1",
  processors: ["synthetic"],
  slots: 1,
  busy: 0,
  draining: false,
  uptimeSeconds: 1,
  ...over,
});
