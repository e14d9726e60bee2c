// The public API reports in api/: one per package entry point (".", and each subpath export such
// as "ecs-fanout/pricing"), made by API Extractor from the built `dist/*.d.ts`, after `pnpm build`.
//   pnpm api:check   fails when a package's surface differs from its committed report (CI)
//   pnpm api:update  builds, then rewrites the reports; commit the diff with the change
// Entry points are read from each package's `exports`, so a new package or subpath needs no
// change here; a report whose entry point is gone fails the check and is removed by the update.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorMessage,
  type IExtractorMessagesConfig,
} from "@microsoft/api-extractor";

const root = fileURLToPath(new URL("..", import.meta.url));
const reportFolder = join(root, "api");
const tempFolder = join(root, "node_modules", ".cache", "api-report");
const update = process.argv.includes("--update");

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, unknown>;
}

interface Entry {
  /** `ecs-fanout` or `ecs-fanout/pricing`. */
  importPath: string;
  packageDir: string;
  /** The built declaration file consumers of the ESM build resolve. */
  dts: string;
  /** Report name without extension: `ecs-fanout`, `ecs-fanout-cli`, `ecs-fanout_pricing`. */
  report: string;
}

/** The `types` an `import` of this export resolves to. */
function typesOf(target: unknown): string | undefined {
  if (typeof target !== "object" || target === null) return undefined;
  const t = target as Record<string, unknown>;
  const imp = t["import"];
  if (
    typeof imp === "object" &&
    imp !== null &&
    typeof (imp as Record<string, unknown>)["types"] === "string"
  )
    return (imp as Record<string, string>)["types"];
  return typeof t["types"] === "string" ? t["types"] : undefined;
}

function entries(): Entry[] {
  const out: Entry[] = [];
  const packagesDir = join(root, "packages");
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, dir, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
    if (manifest.private) continue;
    const base = manifest.name.replace(/^@/, "").replace(/\//g, "-");
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const types = typesOf(target);
      if (!types || subpath.includes("*")) continue;
      const sub = subpath.replace(/^\.\/?/, "");
      out.push({
        importPath: sub ? `${manifest.name}/${sub}` : manifest.name,
        packageDir: join(packagesDir, dir),
        dts: join(packagesDir, dir, types),
        report: sub ? `${base}_${sub.replace(/\//g, "-")}` : base,
      });
    }
  }
  return out;
}

// Only the surface matters here: release tags, TSDoc style and forgotten exports are other
// tools' business (typedoc checks the docs), so they neither fail the check nor fill the log.
const quiet = { logLevel: ExtractorLogLevel.None };
const messages: IExtractorMessagesConfig = {
  compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
  extractorMessageReporting: {
    default: quiet,
    "ae-forgotten-export": { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
    "ae-wrong-input-file-type": { logLevel: ExtractorLogLevel.Error },
  },
  tsdocMessageReporting: { default: quiet },
};

function extract(entry: Entry): { ok: boolean; changed: boolean } {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: entry.packageDir,
      mainEntryPointFilePath: entry.dts,
      bundledPackages: [],
      newlineKind: "lf",
      compiler: {
        // Only the declaration file and what it imports: not the package's sources and tests.
        overrideTsconfig: {
          compilerOptions: {
            target: "ES2023",
            lib: ["ES2023"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            skipLibCheck: true,
            types: ["node"],
          },
          files: [entry.dts],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.report,
        reportFolder,
        reportTempFolder: tempFolder,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages,
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(entry.packageDir, "package.json"),
  });
  const logged: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message: ExtractorMessage) => {
      // The report's own "changed" notice is ours to phrase, below.
      if (message.messageId.startsWith("console-api-report-")) message.handled = true;
      else if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning)
        logged.push(message.formatMessageWithLocation(root));
      if (message.logLevel !== ExtractorLogLevel.None) message.handled = true;
    },
  });
  for (const line of logged) console.log(`       ${line}`);
  // TypeScript prints a union of literals in the order it first met them, which varies between
  // builds of the same source (2 | 4 | 3; a zod enum's members): compare and keep them sorted.
  const committed = join(reportFolder, `${entry.report}.api.md`);
  const fresh = join(tempFolder, `${entry.report}.api.md`);
  if (update && existsSync(committed)) writeFileSync(committed, canonical(readFileSync(committed, "utf8")));
  const changed =
    result.apiReportChanged &&
    !(
      existsSync(committed) &&
      existsSync(fresh) &&
      canonical(readFileSync(committed, "utf8")) === canonical(readFileSync(fresh, "utf8"))
    );
  return { ok: result.errorCount === 0, changed };
}

function canonical(text: string): string {
  return sortedEnumMembers(sortedLiteralUnions(text));
}

/** The members of a printed `z.ZodEnum<{ a: "a"; b: "b"; }>`, one per line, in sorted order. */
function sortedEnumMembers(text: string): string {
  return text.replace(
    /(ZodEnum<\{\n)((?:[ \t]+[\w$]+: "[^"\n]*";\n)+)/g,
    (_all, head: string, members: string) => {
      const lines = members.split("\n").filter((line) => line !== "");
      return `${head}${lines.sort().join("\n")}\n`;
    },
  );
}

function sortedLiteralUnions(text: string): string {
  return text.replace(/(?<![\w.])-?\d+(?: \| -?\d+)+(?![\w.])/g, (union) =>
    union
      .split(" | ")
      .map(Number)
      .sort((a, b) => a - b)
      .join(" | "),
  );
}

function showDiff(report: string): void {
  const committed = join(reportFolder, `${report}.api.md`);
  const fresh = join(tempFolder, `${report}.api.md`);
  if (!existsSync(fresh)) return;
  const before = existsSync(committed) ? relative(root, committed) : "/dev/null";
  const args = ["diff", "--no-index", "--no-color", "--", before, relative(root, fresh)];
  const diff = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  console.log(diff.stdout.replace(/^/gm, "       "));
}

const found = entries();
const missing = found.filter((e) => !existsSync(e.dts));
if (missing.length > 0) {
  for (const e of missing) console.log(`  FAIL ${e.importPath}: ${relative(root, e.dts)} is not built`);
  console.log("\nRun `pnpm build` first (`pnpm api:update` builds for you).");
  process.exit(1);
}

mkdirSync(reportFolder, { recursive: true });
mkdirSync(tempFolder, { recursive: true });
let failed = 0;
for (const entry of found) {
  const { ok, changed } = extract(entry);
  const file = `api/${entry.report}.api.md`;
  if (!ok) {
    failed += 1;
    console.log(`  FAIL ${entry.importPath}: API Extractor reported errors`);
  } else if (changed && update) console.log(`  new  ${entry.importPath}: ${file} updated`);
  else if (changed) {
    failed += 1;
    console.log(`  FAIL ${entry.importPath}: its public API differs from ${file}:`);
    showDiff(entry.report);
  } else console.log(`  ok   ${entry.importPath} (${file})`);
}

// A report nobody produces any more: its package or subpath export is gone.
const expected = new Set(found.map((e) => `${e.report}.api.md`));
for (const name of readdirSync(reportFolder).filter((n) => n.endsWith(".api.md"))) {
  if (expected.has(name)) continue;
  if (update) {
    rmSync(join(reportFolder, name));
    console.log(`  gone api/${name}: removed (no entry point makes it)`);
  } else {
    failed += 1;
    console.log(`  FAIL api/${name}: no package entry point makes this report`);
  }
}

if (failed > 0) {
  console.log(
    `\napi-report: ${failed} problem(s). If the change of surface is intended, run \`pnpm api:update\` and commit api/.`,
  );
  process.exit(1);
}
console.log(`\napi-report: ${update ? "reports written" : "every public API matches its report"}`);
