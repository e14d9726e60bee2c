import { generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import * as x509 from "@peculiar/asn1-x509";

/** ecdsa-with-SHA256 (RFC 5758). */
const ECDSA_SHA256 = "1.2.840.10045.4.3.2";
/** id-at-commonName. */
const COMMON_NAME = "2.5.4.3";

/** A self-signed certificate and its key, as PEM. */
export interface SelfSignedCertificate {
  /** The certificate (PEM). */
  readonly certPem: string;
  /** Its private key (PKCS#8 PEM). */
  readonly keyPem: string;
  /** SHA-256 fingerprint as Node prints it (`AB:CD:…`), what a pinned connection compares. */
  readonly fingerprint256: string;
}

const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${(
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? []
  ).join("\n")}\n-----END ${label}-----\n`;

const extension = (extnID: string, critical: boolean, value: object): x509.Extension =>
  new x509.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

/**
 * Makes an ECDSA P-256 key pair (node:crypto) and a self-signed X.509 v3 certificate for it
 * (structure from @peculiar/asn1-x509, signed by node:crypto). Nobody has to trust it in general:
 * the orchestrator pins exactly this certificate for one run, so its name and validity only need
 * to satisfy TLS libraries, not a CA. Valid from a minute ago (clock skew) for `validForMs`.
 */
export function createSelfSignedCertificate(
  commonName: string,
  validForMs: number,
  now = Date.now(),
  random: (size: number) => Buffer = randomBytes,
): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const name = new x509.Name([
    new x509.RelativeDistinguishedName([
      new x509.AttributeTypeAndValue({
        type: COMMON_NAME,
        value: new x509.AttributeValue({ utf8String: commonName }),
      }),
    ]),
  ]);
  const serial = random(16);
  // A positive INTEGER in minimal DER: the top bit clear (else it reads as negative) and the first
  // byte not zero (a leading 0x00 before a byte below 0x80 is "illegal padding" to OpenSSL).
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const signature = new x509.AlgorithmIdentifier({ algorithm: ECDSA_SHA256 });
  const tbsCertificate = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature,
    issuer: name,
    subject: name,
    validity: new x509.Validity({ notBefore: new Date(now - 60_000), notAfter: new Date(now + validForMs) }),
    subjectPublicKeyInfo: AsnConvert.parse(
      publicKey.export({ type: "spki", format: "der" }),
      x509.SubjectPublicKeyInfo,
    ),
    extensions: new x509.Extensions([
      extension(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: false })),
      extension(x509.id_ce_keyUsage, true, new x509.KeyUsage(x509.KeyUsageFlags.digitalSignature)),
      extension(x509.id_ce_extKeyUsage, false, new x509.ExtendedKeyUsage([x509.id_kp_serverAuth])),
    ]),
  });
  const tbs = Buffer.from(AsnConvert.serialize(tbsCertificate));
  const certificate = new x509.Certificate({
    tbsCertificate,
    signatureAlgorithm: signature,
    signatureValue: new Uint8Array(sign("sha256", tbs, privateKey)).buffer,
  });
  const certPem = pem("CERTIFICATE", new Uint8Array(AsnConvert.serialize(certificate)));
  return {
    certPem,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    fingerprint256: new X509Certificate(certPem).fingerprint256,
  };
}
