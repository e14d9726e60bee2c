import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against sources, never against dist, so `pnpm test` needs no build.
export default defineConfig({
  resolve: {
    alias: {
      "@ecs-fanout/protocol": src("protocol"),
      "@ecs-fanout/video": src("video"),
      "@ecs-fanout/worker": src("worker"),
      "@ecs-fanout/local": src("local"),
      "@ecs-fanout/cli": src("cli"),
      "ecs-fanout": src("core"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
