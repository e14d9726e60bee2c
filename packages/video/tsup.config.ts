import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    target: "node22",
    // find.ts resolves the optional npm ffmpeg packages relative to import.meta.url; shim it in CJS.
    shims: true,
  },
]);
