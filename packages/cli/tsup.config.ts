import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    // import.meta.url finds the GPU stand-in script; the CJS build needs it shimmed.
    shims: true,
    sourcemap: true,
    target: "node22",
    // One file per entry: the commands' lazy imports stay lazy at run time without chunk files.
    splitting: false,
  },
  {
    // The bin is ESM only; it keeps its shebang.
    entry: ["src/bin.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node22",
    splitting: false,
  },
]);
