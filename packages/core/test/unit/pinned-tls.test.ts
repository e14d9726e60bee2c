import { X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerError } from "../../src/errors.js";
import { createSelfSignedCertificate } from "../../src/worker/certificate.js";
import { WorkerClient } from "../../src/worker/client.js";
import { workerAgent } from "../../src/worker/pinned-agent.js";
import { createRunIdentity, sha256Hex, workerTransportEnvironment } from "../../src/worker/run-identity.js";
import { type FakeWorker, infoBody, startFakeWorker } from "./fake-tls-worker.js";

const ARN = "arn:aws:ecs:us-east-1:1:task/c/t1";
const envOf = (pairs: Array<{ name: string; value: string }>) =>
  Object.fromEntries(pairs.map((p) => [p.name, p.value]));

describe("the run's certificate", () => {
  it.each([0x00, 0x80, 0xff])("parses whatever the serial number's first random byte is (%i)", (first) => {
    // A serial whose first byte masked to 0x00 once made a certificate OpenSSL refused
    // (ERR_OSSL_ASN1_ILLEGAL_PADDING), about one run in 128.
    const random = (size: number) => Buffer.alloc(size, first);
    const cert = createSelfSignedCertificate("ecs-fanout worker", 60_000, Date.now(), random);
    const parsed = new X509Certificate(cert.certPem);
    expect(parsed.fingerprint256).toBe(cert.fingerprint256);
    expect(parsed.serialNumber).toMatch(/^[4-7]/);
  });
});

describe("a run's identity", () => {
  it("hands the worker the token's SHA-256, the certificate and its key, never the token", () => {
    const identity = createRunIdentity({ insecurePlainHttp: false });
    const env = envOf(workerTransportEnvironment(identity));
    expect(Object.keys(env).sort()).toEqual(["FANOUT_TLS_CERT", "FANOUT_TLS_KEY", "FANOUT_TOKEN_SHA256"]);
    expect(env.FANOUT_TOKEN_SHA256).toBe(sha256Hex(identity.token));
    expect(env.FANOUT_TOKEN_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(env)).not.toContain(identity.token);
    const cert = new X509Certificate(Buffer.from(env.FANOUT_TLS_CERT as string, "base64").toString("utf8"));
    expect(cert.fingerprint256).toBe(identity.tls?.fingerprint256);
    expect(Buffer.from(env.FANOUT_TLS_KEY as string, "base64").toString("utf8")).toMatch(
      /^-----BEGIN PRIVATE KEY-----/,
    );
    expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: "prime256v1" });
  });

  it("is fresh for every run: another token, another key pair", () => {
    const a = createRunIdentity({ insecurePlainHttp: false });
    const b = createRunIdentity({ insecurePlainHttp: false });
    expect(a.token).not.toBe(b.token);
    expect(a.tls?.fingerprint256).not.toBe(b.tls?.fingerprint256);
  });

  it("with the plain-HTTP opt-out makes no certificate and tells the worker so", () => {
    const identity = createRunIdentity({ insecurePlainHttp: true });
    expect(identity.tls).toBeUndefined();
    expect(envOf(workerTransportEnvironment(identity))).toEqual({
      FANOUT_TOKEN_SHA256: sha256Hex(identity.token),
      FANOUT_INSECURE_PLAIN_HTTP: "1",
    });
  });
});

describe("the pinned connection", () => {
  let worker: FakeWorker | undefined;
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  const clientFor = (url: string, identity = worker?.identity) => {
    if (identity === undefined) throw new Error("no identity");
    return new WorkerClient(url, identity.token, ARN, workerAgent(identity), 5000);
  };

  it("talks to a worker that presents the run's certificate", async () => {
    worker = await startFakeWorker((_req, res) => res.end(JSON.stringify(infoBody())));
    const info = await clientFor(worker.url).info();
    expect(info.runId).toBe("run-1");
    expect(worker.requests[0]?.headers.authorization).toBe(`Bearer ${worker.identity.token}`);
  });

  it("refuses a worker with another certificate before it sends a byte of the request", async () => {
    const impostor = createRunIdentity({ insecurePlainHttp: false });
    worker = await startFakeWorker((_req, res) => res.end(JSON.stringify(infoBody())), impostor);
    const ours = createRunIdentity({ insecurePlainHttp: false });
    const error = await clientFor(worker.url, ours)
      .info()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).statusCode).toBeUndefined();
    expect(worker.requests).toHaveLength(0);
  });

  it("refuses a worker that answers in plain HTTP where TLS was expected", async () => {
    worker = await startFakeWorker(
      (_req, res) => res.end(JSON.stringify(infoBody())),
      createRunIdentity({ insecurePlainHttp: true }),
    );
    const ours = createRunIdentity({ insecurePlainHttp: false });
    const error = await clientFor(worker.url.replace("http:", "https:"), ours)
      .info()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect(worker.requests).toHaveLength(0);
  });
});
