import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    target: "node22",
  },
  {
    // The bin is ESM only; it keeps its shebang.
    entry: ["src/bin.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node22",
  },
]);
