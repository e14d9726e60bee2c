import { defineConfig } from "tsup";

export default defineConfig([
  {
    // "." and the "./pricing" subpath; dist/pricing/index.* keeps the subpath's layout.
    entry: { index: "src/index.ts", "pricing/index": "src/pricing/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    target: "node22",
  },
]);
