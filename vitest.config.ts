import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string, file = "index.ts") =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

// Tests run against sources, never against dist, so `pnpm test` needs no build.
export default defineConfig({
  resolve: {
    // Exact matches, so a subpath ("ecs-fanout/pricing") is not read as a path below "ecs-fanout".
    alias: [
      { find: /^@ecs-fanout\/protocol$/, replacement: src("protocol") },
      { find: /^@ecs-fanout\/video$/, replacement: src("video") },
      { find: /^@ecs-fanout\/worker$/, replacement: src("worker") },
      { find: /^@ecs-fanout\/local$/, replacement: src("local") },
      { find: /^@ecs-fanout\/cli$/, replacement: src("cli") },
      { find: /^ecs-fanout$/, replacement: src("core") },
      { find: /^ecs-fanout\/pricing$/, replacement: src("core", "pricing/index.ts") },
      { find: /^ecs-fanout\/options$/, replacement: src("core", "options/index.ts") },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
