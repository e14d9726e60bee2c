import { createPrivateKey, X509Certificate } from "node:crypto";
import { z } from "zod";

// Key material arrives as base64 of PEM so it survives any environment-variable transport
// (newlines included). Problems about it never repeat the value: it may be a secret.

function decodePem(value: string, label: string): string | null {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(value)) return null;
  const pem = Buffer.from(value, "base64").toString("utf8");
  return pem.includes(`-----BEGIN ${label}-----`) ? pem : null;
}

function readCertificate(value: string): string | null {
  const pem = decodePem(value, "CERTIFICATE");
  if (pem === null) return null;
  try {
    new X509Certificate(pem);
    return pem;
  } catch {
    return null;
  }
}

function readPrivateKey(value: string): string | null {
  const pem = decodePem(value, "PRIVATE KEY");
  if (pem === null) return null;
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    return null;
  }
}

/** FANOUT_TLS_CERT: base64 of a PEM certificate → the PEM text. */
export const certificateField = z.string().transform((value, ctx) => {
  const pem = readCertificate(value);
  if (pem === null) {
    ctx.addIssue({
      code: "custom",
      message: "expected base64 of a PEM certificate (-----BEGIN CERTIFICATE-----), got something else",
    });
    return z.NEVER;
  }
  return pem;
});

/** FANOUT_TLS_KEY: base64 of a PEM PKCS#8 private key → the PEM text. */
export const privateKeyField = z.string().transform((value, ctx) => {
  const pem = readPrivateKey(value);
  if (pem === null) {
    ctx.addIssue({
      code: "custom",
      message:
        "expected base64 of a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----), got something else",
    });
    return z.NEVER;
  }
  return pem;
});

/** FANOUT_TOKEN_SHA256: 64 lowercase hex digits. */
export const tokenSha256Field = z.string().refine((value) => /^[0-9a-f]{64}$/.test(value), {
  message: "expected the bearer token's SHA-256 as 64 lowercase hex digits, got something else",
});

/** True when `keyPem` is the private key of the certificate `certPem`. */
export function verifyKeyPair(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
