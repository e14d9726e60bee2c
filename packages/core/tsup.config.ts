import { defineConfig } from "tsup";

export default defineConfig([
  {
    // "." and the "./pricing" and "./options" subpaths; dist/<subpath>/index.* keeps their layout.
    entry: {
      index: "src/index.ts",
      "pricing/index": "src/pricing/index.ts",
      "options/index": "src/options/index.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    target: "node22",
  },
]);
