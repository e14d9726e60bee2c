import { describe, expect, it } from "vitest";
import { parseRange } from "../src/http/range.js";
import {
  decodeParams,
  encodeParams,
  isValidJobId,
  loadWorkerConfig,
  realEsrgan,
  seedVr2,
  seedVr2Args,
  synthetic,
  syntheticBytes,
  WorkerConfigError,
} from "../src/index.js";
import { splitCommand } from "../src/processors/command.js";
import { parseToolProgress } from "../src/processors/tool.js";

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
      problems: ["processor: expected a string, got number 3"],
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
    ["lines=0-1", 100, "unsatisfiable"],
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

describe("loadWorkerConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadWorkerConfig({ FANOUT_TOKEN: "t" });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 8080,
      token: "t",
      slots: 1,
      maxInputBytes: 10 * 1024 ** 3,
      idleTimeoutSeconds: 300,
      maxLifetimeSeconds: 21_600,
      stopTimeoutSeconds: 30,
      enableSynthetic: false,
      realesrganCommand: null,
      seedvr2Command: null,
      modelDir: "/models",
      metadataUri: null,
    });
    expect(config.workDir).toContain(`ecs-fanout-worker-${process.pid}`);
  });

  it("reports every problem at once", () => {
    let error: unknown;
    try {
      loadWorkerConfig({
        PORT: "http",
        FANOUT_SLOTS: "0",
        FANOUT_ENABLE_SYNTHETIC: "maybe",
        FANOUT_SEEDVR2_CMD: "'x",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkerConfigError);
    expect((error as WorkerConfigError).problems).toEqual([
      "FANOUT_TOKEN: expected a bearer token (or FANOUT_INSECURE_NO_AUTH=1 for local use), got nothing",
      'PORT: expected an integer 0..65535, got "http"',
      'FANOUT_SLOTS: expected an integer 1..64, got "0"',
      'FANOUT_ENABLE_SYNTHETIC: expected 1/0/true/false, got "maybe"',
      `FANOUT_SEEDVR2_CMD: expected a closing ' quote, got end of line in "'x"`,
    ]);
  });
});

describe("processor options", () => {
  const config = loadWorkerConfig({ FANOUT_TOKEN: "t" });

  it("seedvr2 defaults to the reference container's parameters", () => {
    const normalized = seedVr2.normalize({}, config);
    expect(normalized).toMatchObject({
      ok: true,
      options: { model: "7b", resolution: 1080, seed: 42, colorCorrection: "lab", batchSize: 129 },
    });
    if (!normalized.ok) throw new Error("unreachable");
    expect(seedVr2Args("in.mp4", "out.mp4", "/models", normalized.options)).toEqual([
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
    expect(seedVr2.normalize({ batchSize }, config).ok).toBe(true);
  });

  it.each([0, 2, 4, 8, 128, 130])("seedvr2 refuses batch size %i", (batchSize) => {
    expect(seedVr2.normalize({ batchSize }, config).ok).toBe(false);
  });

  it("realesrgan allows denoiseStrength only with the model that has it", () => {
    expect(realEsrgan.normalize({ denoiseStrength: 0.5 }, config)).toEqual({
      ok: false,
      problems: ['denoiseStrength: expected model "realesr-general-x4v3", got model "RealESRGAN_x4plus"'],
    });
    expect(realEsrgan.normalize({ model: "realesr-general-x4v3", denoiseStrength: 0.5 }, config).ok).toBe(
      true,
    );
  });

  it("synthetic reports problems in nested faults with their path", () => {
    expect(synthetic.normalize({ faults: { exitDuringJob: 300, typo: 1 } }, config)).toEqual({
      ok: false,
      problems: [
        "faults.exitDuringJob: expected an integer in 0..255, got number 300",
        "faults.typo: unknown option",
      ],
    });
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
