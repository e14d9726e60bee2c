import { createHash, randomBytes } from "node:crypto";
import { WORKER_ENV } from "@ecs-fanout/protocol";
import { createSelfSignedCertificate } from "./certificate.js";

/** A certificate's lifetime: longer than any run (a task lives at most its 6 h default and then some). */
const CERT_VALID_MS = 7 * 24 * 3600 * 1000;

/**
 * What one run shares with its workers. The token stays in the orchestrator's memory and in
 * Authorization headers inside TLS; RunTask carries only its SHA-256, the certificate and key the
 * workers serve (see {@link workerTransportEnvironment}).
 */
export interface RunIdentity {
  /** The bearer token the orchestrator presents: random, per run, never an AWS credential. */
  readonly token: string;
  /** Lowercase hex SHA-256 of {@link token}: what the worker compares against. */
  readonly tokenSha256: string;
  /** The certificate every worker of the run serves; `undefined` with plain HTTP. */
  readonly tls:
    | { readonly certPem: string; readonly keyPem: string; readonly fingerprint256: string }
    | undefined;
}

/** `sha256(token)` in lowercase hex, as the worker computes it from the presented bearer. */
export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A fresh identity for one run: a 256-bit token and, unless plain HTTP was chosen, a key pair and certificate. */
export function createRunIdentity(options: { insecurePlainHttp: boolean }): RunIdentity {
  const token = randomBytes(32).toString("base64url");
  return {
    token,
    tokenSha256: sha256Hex(token),
    tls: options.insecurePlainHttp
      ? undefined
      : createSelfSignedCertificate("ecs-fanout worker", CERT_VALID_MS),
  };
}

/** The container environment that hands a run's identity to its workers (no usable secret: no token). */
export function workerTransportEnvironment(identity: RunIdentity): Array<{ name: string; value: string }> {
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  return identity.tls === undefined
    ? [
        { name: WORKER_ENV.tokenSha256, value: identity.tokenSha256 },
        { name: WORKER_ENV.insecurePlainHttp, value: "1" },
      ]
    : [
        { name: WORKER_ENV.tokenSha256, value: identity.tokenSha256 },
        { name: WORKER_ENV.tlsCert, value: b64(identity.tls.certPem) },
        { name: WORKER_ENV.tlsKey, value: b64(identity.tls.keyPem) },
      ];
}
