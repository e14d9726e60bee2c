import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseRange } from "../src/http/range.js";
import {
  childEnvironment,
  decodeParams,
  encodeParams,
  isValidJobId,
  loadWorkerConfig,
  resolveParams,
  type SeedVr2Options,
  seedVr2Args,
  syntheticBytes,
  WorkerConfigError,
} from "../src/index.js";
import { splitCommand } from "../src/processors/command.js";
import { parseToolProgress } from "../src/processors/tool.js";
import { CERT } from "./helpers.js";

describe("job ids", () => {
  it.each([
    ["seg-0001", true],
    ["a.b_c-D9", true],
    ["x".repeat(128), true],
    ["x".repeat(129), false],
    [".", false],
    ["..", false],
    ["...", true],
    ["", false],
    ["a/b", false],
    ["a\\b", false],
    ["a b", false],
    ["ü", false],
  ])("%j is valid: %s", (id, valid) => {
    expect(isValidJobId(id)).toBe(valid);
  });
});

describe("x-fanout-params", () => {
  it("round-trips through base64url JSON", () => {
    const params = { processor: "seedvr2", model: "7b", batchSize: 129, note: "ü/+=" };
    const header = encodeParams(params);
    expect(header).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeParams(header)).toEqual({ ok: true, params });
  });

  it("treats a missing header as the default processor with no options", () => {
    expect(decodeParams(undefined)).toEqual({ ok: true, params: {} });
  });

  it("rejects a processor that is not a string", () => {
    expect(decodeParams(encodeParams({ processor: 3 as unknown as string }))).toEqual({
      ok: false,
      problems: ["processor: expected a string, got 3"],
    });
  });
});

describe("Range header", () => {
  it.each([
    [undefined, 100, undefined],
    ["bytes=0-", 100, { start: 0, end: 99 }],
    ["bytes=10-19", 100, { start: 10, end: 19 }],
    ["bytes=90-500", 100, { start: 90, end: 99 }],
    ["bytes=-10", 100, { start: 90, end: 99 }],
    ["bytes=-500", 100, { start: 0, end: 99 }],
    ["bytes=0-1,5-6", 100, undefined],
    ["bytes=100-", 100, "unsatisfiable"],
    ["bytes=20-10", 100, "unsatisfiable"],
    ["bytes=-0", 100, "unsatisfiable"],
    ["bytes=-", 100, "unsatisfiable"],
    ["bytes=x-1", 100, "unsatisfiable"],
    ["lines=0-1", 100, undefined],
    ["items=0-5", 100, undefined],
    ["Bytes=0-1", 100, { start: 0, end: 1 }],
    ["bytes=0-", 0, "unsatisfiable"],
  ])("%j of %i bytes → %j", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe("command lines from the environment", () => {
  it.each([
    ["python3 /opt/SeedVR2/inference_cli.py", ["python3", "/opt/SeedVR2/inference_cli.py"]],
    ["  python3   'a b/c.py' \"d e\"", ["python3", "a b/c.py", "d e"]],
    ["run\\ me now", ["run me", "now"]],
    ["x ''", ["x", ""]],
  ])("splits %j without a shell", (line, argv) => {
    expect(splitCommand(line)).toEqual(argv);
  });

  it("refuses an unclosed quote", () => {
    expect(() => splitCommand("python3 'oops")).toThrow(/closing ' quote/);
  });
});

const secure = {
  FANOUT_TOKEN_SHA256: "a".repeat(64),
  FANOUT_TLS_CERT: Buffer.from(CERT.cert).toString("base64"),
  FANOUT_TLS_KEY: Buffer.from(CERT.key).toString("base64"),
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkerConfigError);
    return [...(error as WorkerConfigError).problems];
  }
  throw new Error("expected a WorkerConfigError");
}

describe("the worker's environment", () => {
  it("applies the documented defaults, and reads TLS material from base64 PEM", () => {
    const config = loadWorkerConfig({ ...secure, PATH: "/usr/bin", UNRELATED: "x" });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 8080,
      tokenSha256: "a".repeat(64),
      tls: { cert: CERT.cert, key: CERT.key },
      slots: 1,
      maxInputBytes: 10 * 1024 ** 3,
      minFreeBytes: 256 * 1024 ** 2,
      idleTimeoutSeconds: 300,
      maxLifetimeSeconds: 21_600,
      stopTimeoutSeconds: 30,
      headersTimeoutSeconds: 10,
      requestTimeoutSeconds: 3600,
      bodyIdleTimeoutSeconds: 30,
      minUploadBytesPerSecond: 65_536,
      uploadRateWindowSeconds: 30,
      maxConnections: 64,
      maxConcurrentUploads: 8,
      maxPixelsPerFrame: 3840 * 2160,
      maxDurationSeconds: 3600,
      maxFrames: 216_000,
      maxJobSeconds: 10_800,
      enableSynthetic: false,
      realesrganCommand: null,
      seedvr2Command: null,
      modelDir: "/models",
      metadataUri: null,
    });
    expect(config.workDir).toContain(`ecs-fanout-worker-${process.pid}`);
  });

  it("reports every problem at once, each named by its variable", () => {
    expect(
      problemsOf({
        ...secure,
        PORT: "http",
        FANOUT_SLOTS: "0",
        FANOUT_ENABLE_SYNTHETIC: "maybe",
        FANOUT_SEEDVR2_CMD: "'x",
        FANOUT_IDLE_TIMEOUT_SECOND: "5",
      }),
    ).toEqual([
      'PORT: expected an integer from 0 to 65535, got "http"',
      'FANOUT_SLOTS: expected an integer from 1 to 64, got "0"',
      'FANOUT_ENABLE_SYNTHETIC: expected one of "0", "1", got "maybe"',
      `FANOUT_SEEDVR2_CMD: expected a closing ' quote, got end of line in "'x"`,
      'FANOUT_IDLE_TIMEOUT_SECOND: expected a known key (did you mean "FANOUT_IDLE_TIMEOUT_SECONDS"?), got "FANOUT_IDLE_TIMEOUT_SECOND"',
    ]);
  });

  it("requires the token's SHA-256 and TLS material, unless the insecure opt-outs say otherwise", () => {
    expect(problemsOf({})).toEqual([
      "FANOUT_TOKEN_SHA256: expected the bearer token's SHA-256 in lowercase hex (or FANOUT_INSECURE_NO_AUTH=1 for local use), got undefined",
      "FANOUT_TLS_CERT: expected base64 of a PEM certificate (or FANOUT_INSECURE_PLAIN_HTTP=1 for local use), got undefined",
      "FANOUT_TLS_KEY: expected base64 of a PEM PKCS#8 private key (or FANOUT_INSECURE_PLAIN_HTTP=1 for local use), got undefined",
    ]);
    const open = loadWorkerConfig({ FANOUT_INSECURE_NO_AUTH: "1", FANOUT_INSECURE_PLAIN_HTTP: "1" });
    expect(open).toMatchObject({ tokenSha256: null, insecureNoAuth: true, tls: null });
  });

  it("refuses the plain token, and never repeats a secret value in a problem", () => {
    const secret = "super-secret-token-value";
    const problems = problemsOf({
      FANOUT_TOKEN: secret,
      FANOUT_TOKEN_SHA256: secret,
      FANOUT_TLS_CERT: Buffer.from(`-----BEGIN CERTIFICATE-----\n${secret}`).toString("base64"),
      FANOUT_TLS_KEY: Buffer.from(secret).toString("base64"),
    });
    expect(problems).toEqual([
      "FANOUT_TOKEN_SHA256: expected the bearer token's SHA-256 as 64 lowercase hex digits, got something else",
      "FANOUT_TOKEN: expected no FANOUT_TOKEN (pass the token's SHA-256 as FANOUT_TOKEN_SHA256), got the token itself",
      "FANOUT_TLS_CERT: expected base64 of a PEM certificate (-----BEGIN CERTIFICATE-----), got something else",
      "FANOUT_TLS_KEY: expected base64 of a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----), got something else",
    ]);
    for (const problem of problems) expect(problem).not.toContain(secret.slice(0, 10));
  });

  it("refuses a key that does not belong to the certificate, and TLS material with the plain-HTTP opt-out", () => {
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(problemsOf({ ...secure, FANOUT_TLS_KEY: Buffer.from(other).toString("base64") })).toEqual([
      "FANOUT_TLS_KEY: expected the private key of FANOUT_TLS_CERT, got another key",
    ]);
    expect(problemsOf({ ...secure, FANOUT_INSECURE_PLAIN_HTTP: "1" })).toEqual([
      'FANOUT_INSECURE_PLAIN_HTTP: expected 0 when FANOUT_TLS_CERT or FANOUT_TLS_KEY is set, got "1"',
    ]);
  });

  it("keeps the token hash and TLS material out of a child's environment", () => {
    expect(
      childEnvironment({
        PATH: "/bin",
        FANOUT_TOKEN_SHA256: "h",
        FANOUT_TLS_KEY: "k",
        FANOUT_TLS_CERT: "c",
        FANOUT_SLOTS: "2",
      }),
    ).toEqual({ PATH: "/bin", FANOUT_SLOTS: "2" });
  });
});

describe("processor params", () => {
  const config = loadWorkerConfig({
    ...secure,
    FANOUT_ENABLE_SYNTHETIC: "1",
    FANOUT_SEEDVR2_CMD: "x",
    FANOUT_REALESRGAN_BIN: "y",
  });
  const resolve = (params: Record<string, unknown>) => resolveParams(params, config);

  it("ffmpeg-scale defaults to ×2, crf 18, veryfast, auto audio", () => {
    expect(resolve({})).toMatchObject({
      ok: true,
      value: { options: { scale: 2, crf: 18, preset: "veryfast", audio: "auto" } },
    });
  });

  it("seedvr2 defaults to its container's parameters", () => {
    const resolved = resolve({ processor: "seedvr2" });
    if (!resolved.ok) throw new Error(resolved.problems.join("; "));
    expect(seedVr2Args("in.mp4", "out.mp4", "/models", resolved.value.options as SeedVr2Options)).toEqual([
      "in.mp4",
      "--output",
      "out.mp4",
      "--output_format",
      "mp4",
      "--model_dir",
      "/models",
      "--dit_model",
      "seedvr2_ema_7b_fp16.safetensors",
      "--resolution",
      "1080",
      "--batch_size",
      "129",
      "--seed",
      "42",
      "--color_correction",
      "lab",
      "--attention_mode",
      "sdpa",
      "--temporal_overlap",
      "0",
    ]);
  });

  it.each([1, 5, 9, 33, 129])("seedvr2 accepts batch size %i (4n+1)", (batchSize) => {
    expect(resolve({ processor: "seedvr2", batchSize }).ok).toBe(true);
  });

  it.each([0, 2, 4, 8, 128, 130])("seedvr2 refuses batch size %i", (batchSize) => {
    expect(resolve({ processor: "seedvr2", batchSize }).ok).toBe(false);
  });

  it("realesrgan takes its tiling and precision defaults from the device", () => {
    expect(resolve({ processor: "realesrgan", device: "cpu" })).toMatchObject({
      ok: true,
      value: { options: { tile: 128, tilePad: 5, fp32: true } },
    });
    expect(resolve({ processor: "realesrgan" })).toMatchObject({
      ok: true,
      value: { options: { tile: 256, tilePad: 10, fp32: false } },
    });
  });

  it("realesrgan allows denoiseStrength only with the model that has it", () => {
    expect(resolve({ processor: "realesrgan", denoiseStrength: 0.5 })).toEqual({
      ok: false,
      problems: [
        'denoiseStrength: expected model "realesr-general-x4v3" alongside, got "model RealESRGAN_x4plus"',
      ],
    });
    expect(resolve({ processor: "realesrgan", model: "realesr-general-x4v3", denoiseStrength: 0.5 }).ok).toBe(
      true,
    );
  });

  it("an unknown param at any depth is a problem naming its path and the closest known key", () => {
    expect(resolve({ processor: "synthetic", faults: { exitDuringJob: 300, corruptOutputs: true } })).toEqual(
      {
        ok: false,
        problems: [
          "faults.exitDuringJob: expected an integer from 0 to 255, got 300",
          'faults.corruptOutputs: expected a known key (did you mean "corruptOutput"?), got "corruptOutputs"',
        ],
      },
    );
  });
});

describe("synthetic output", () => {
  it("depends only on seed and size", () => {
    const a = Buffer.concat([...syntheticBytes("s", 100_000)]);
    const b = Buffer.concat([...syntheticBytes("s", 100_000)]);
    const c = Buffer.concat([...syntheticBytes("t", 100_000)]);
    expect(a.length).toBe(100_000);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(Buffer.concat([...syntheticBytes("s", 33)]).equals(a.subarray(0, 33))).toBe(true);
  });
});

describe("tool progress", () => {
  it.each([
    ["inference:  45%|####5     | 68/150 [00:13<00:16]", 68 / 150],
    ["Processing:  20%|##        |", 0.2],
    ["loading model weights", undefined],
  ])("reads %j as %s", (line, fraction) => {
    expect(parseToolProgress(line)).toBe(fraction);
  });
});
