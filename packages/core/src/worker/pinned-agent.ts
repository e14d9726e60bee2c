import type { PeerCertificate } from "node:tls";
import { Agent } from "undici";
import type { RunIdentity } from "./run-identity.js";

/** Connection pool settings shared by the TLS and the plain agent. */
const POOL = { keepAliveTimeout: 10_000, connections: 8 } as const;

/** Why a pinned connection refused a worker: it presented another certificate than the run's. */
export class PinMismatch extends Error {
  override readonly name = "PinMismatch";
  readonly code = "ERR_FANOUT_CERT_PIN";
}

/**
 * The run's connection pool to its workers. With TLS it trusts exactly the run's certificate:
 * `ca` is that one certificate (so chain verification passes only for it, `rejectUnauthorized`
 * stays on), and `checkServerIdentity` compares the presented certificate's SHA-256 fingerprint
 * instead of a host name (workers are reached by IP address and have no name to check). Nothing
 * is learned from the first connection: the orchestrator knows the certificate before it sends a byte.
 */
export function workerAgent(
  identity: RunIdentity,
  {
    connectTimeoutMs = 10_000,
    connections = POOL.connections,
  }: { connectTimeoutMs?: number; connections?: number } = {},
): Agent {
  const tls = identity.tls;
  const pool = { ...POOL, connections };
  if (tls === undefined) return new Agent({ ...pool, connect: { timeout: connectTimeoutMs } });
  return new Agent({
    ...pool,
    connect: {
      timeout: connectTimeoutMs,
      ca: tls.certPem,
      rejectUnauthorized: true,
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        cert.fingerprint256 === tls.fingerprint256
          ? undefined
          : new PinMismatch(
              `worker presented certificate ${cert.fingerprint256}, not this run's ${tls.fingerprint256}`,
            ),
    },
  });
}

/** `https://` with TLS, `http://` with plain HTTP. */
export const workerScheme = (identity: RunIdentity): "https" | "http" =>
  identity.tls === undefined ? "http" : "https";
