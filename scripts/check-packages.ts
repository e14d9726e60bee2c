// Checks that every publishable package is fit for npm, after `pnpm build`:
//   1. publint --strict                    (package.json exports/files/fields agree with dist)
//   2. attw --pack                         (types resolve for ESM and CJS consumers)
//   3. npm pack --dry-run                  (the tarball has dist, a README and the bin; no tests,
//                                           fixtures, configs or source maps of tests)
// Run by scripts/ci-extra.sh; `pnpm check:packages` runs it alone. Exits non-zero on any problem.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);

interface Manifest {
  name: string;
  private?: boolean;
  bin?: string | Record<string, string>;
  exports?: unknown;
}

// Paths that must never ship: tests, fixtures, build and tool configs.
const FORBIDDEN = [
  /(^|\/)test(s)?\//,
  /(^|\/)__tests__\//,
  /\.(test|spec)\.[cm]?[jt]sx?(\.map)?$/,
  /(^|\/)(__)?fixtures?(__)?\//,
  /(^|\/)tsconfig(\..+)?\.json$/,
  /(^|\/)tsup\.config\.[cm]?[jt]s$/,
  /(^|\/)vitest\.config\.[cm]?[jt]s$/,
  /\.tsbuildinfo$/,
  /(^|\/)\.env/,
];
const REQUIRED = [
  "package.json",
  "README.md",
  "dist/index.js",
  "dist/index.cjs",
  "dist/index.d.ts",
  "dist/index.d.cts",
];

function run(label: string, command: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  const ok = result.status === 0;
  console.log(`  ${ok ? "ok  " : "FAIL"} ${label}`);
  if (!ok) console.log(output.replace(/^/gm, "       "));
  return { ok, output };
}

function packedFiles(dir: string): { files: string[]; problem?: string } {
  const result = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: dir,
    encoding: "utf8",
  });
  if (result.status !== 0) return { files: [], problem: `npm pack failed: ${result.stderr}` };
  const parsed = JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>;
  return { files: parsed[0]?.files.map((f) => f.path) ?? [] };
}

function checkPackContents(dir: string, manifest: Manifest): boolean {
  const { files, problem } = packedFiles(dir);
  const problems: string[] = problem ? [problem] : [];
  for (const f of files) {
    if (FORBIDDEN.some((re) => re.test(f))) problems.push(`ships ${f}`);
  }
  const bins = typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const required of [...REQUIRED, ...bins.map((b) => b.replace(/^\.\//, ""))]) {
    if (!files.includes(required)) problems.push(`does not ship ${required}`);
  }
  const ok = problems.length === 0;
  console.log(`  ${ok ? "ok  " : "FAIL"} npm pack --dry-run (${files.length} files)`);
  for (const p of problems) console.log(`       ${p}`);
  return ok;
}

const packagesDir = join(root, "packages");
let failures = 0;
for (const name of readdirSync(packagesDir).sort()) {
  const dir = join(packagesDir, name);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
  } catch {
    continue;
  }
  if (manifest.private) continue;
  console.log(`${manifest.name} (packages/${name})`);
  const checks = [
    run("publint --strict", bin("publint"), ["run", "--strict", "--pack", "npm"], dir).ok,
    run("attw --pack", bin("attw"), ["--pack", ".", "--format", "ascii", "--no-emoji"], dir).ok,
    checkPackContents(dir, manifest),
  ];
  failures += checks.filter((ok) => !ok).length;
}
console.log(
  failures === 0 ? "check-packages: all packages ok" : `check-packages: ${failures} check(s) failed`,
);
process.exitCode = failures === 0 ? 0 : 1;
