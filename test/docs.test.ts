import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createProgram } from "@ecs-fanout/cli";
import { EVENT_TYPES } from "ecs-fanout";
import { describe, expect, it } from "vitest";

// The docs name things the code defines: links, environment variables, CLI flags, error codes,
// metrics, events. These tests fail when one side changes and the other does not.

const root = fileURLToPath(new URL("../", import.meta.url));
const docsDir = join(root, "docs");
const docs = readdirSync(docsDir)
  .filter((f) => f.endsWith(".md"))
  .map((f) => ({ file: f, path: join(docsDir, f), text: readFileSync(join(docsDir, f), "utf8") }));
const read = (rel: string) => readFileSync(join(root, rel), "utf8");
const doc = (name: string) => docs.find((d) => d.file === name)?.text ?? "";

/** Every file under a folder, concatenated: the source text to look names up in. */
function sourceOf(rel: string): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".ts")) out.push(readFileSync(p, "utf8"));
    }
  };
  walk(join(root, rel));
  return out.join("\n");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  const anchors = new Set<string>();
  for (const [, heading = ""] of withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/`/g, "")
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .trim()
      .replace(/\s/g, "-");
    anchors.add(slug);
  }
  return anchors;
}

describe("the docs", () => {
  it("exist, one page per topic", () => {
    const names = docs.map((d) => d.file);
    for (const page of [
      "getting-started.md",
      "aws-setup.md",
      "worker-protocol.md",
      "cost-model.md",
      "local-endpoint.md",
      "troubleshooting.md",
      "architecture.md",
    ]) {
      expect(names).toContain(page);
    }
  });

  it.each(docs.map((d) => [d.file, d] as const))(
    "%s links only to files and headings that exist",
    (_f, d) => {
      const broken: string[] = [];
      const text = d.text.replace(/```[\s\S]*?```/g, "");
      for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
        const [file = "", anchor] = target.split("#");
        const targetPath = file === "" ? d.path : resolve(dirname(d.path), file);
        if (!existsSync(targetPath)) {
          // benchmarks.md is written by `pnpm bench`; everything else must exist.
          if (!targetPath.endsWith("benchmarks.md")) broken.push(target);
          continue;
        }
        if (
          anchor &&
          targetPath.endsWith(".md") &&
          !anchorsOf(readFileSync(targetPath, "utf8")).has(anchor)
        ) {
          broken.push(target);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it("name only worker environment variables the worker reads, and document all of them", () => {
    const config = read("packages/worker/src/config.ts");
    const read_ = new Set(
      [...config.matchAll(/\b((?:FANOUT|ECS_CONTAINER)_[A-Z0-9_]+|HOST|PORT)\b/g)].map((m) => m[1]),
    );
    expect(read_.size).toBeGreaterThan(10);
    const named = new Set(
      docs.flatMap((d) => [...d.text.matchAll(/\b(FANOUT_[A-Z0-9_]+)\b/g)].map((m) => m[1])),
    );
    // FANOUT_TOKEN is documented as removed (the worker refuses it); `FANOUT_TLS_*` names a family.
    const removedOrFamily = (n: string | undefined) => n === "FANOUT_TOKEN" || Boolean(n?.endsWith("_"));
    expect([...named].filter((n) => !read_.has(n) && !removedOrFamily(n))).toEqual([]);
    const protocol = doc("worker-protocol.md");
    expect([...read_].filter((n) => !removedOrFamily(n) && !new RegExp(`\\b${n}\\b`).test(protocol))).toEqual(
      [],
    );
  });

  it("list every error code the worker sends, and no other", () => {
    const worker = sourceOf("packages/worker/src");
    const sent = new Set([...worker.matchAll(/sendError\(\s*res,\s*\d{3},\s*"([A-Z_]+)"/g)].map((m) => m[1]));
    expect(sent.size).toBeGreaterThan(8);
    const protocol = doc("worker-protocol.md");
    expect([...sent].filter((c) => !new RegExp(`\\b${c}\\b`).test(protocol))).toEqual([]);
    const documented = new Set([...protocol.matchAll(/\|\s*\d{3}\s*\|\s*`([A-Z_]+)`/g)].map((m) => m[1]));
    expect([...documented].filter((c) => !sent.has(c))).toEqual([]);
  });

  it("use only flags the ecs-fanout command accepts", () => {
    const noop = { write: () => true };
    const program = createProgram({ stdout: noop, stderr: noop } as never, () => {});
    const flags = new Map(
      program.commands.map((c) => [c.name(), new Set(c.options.map((o) => o.long).filter(Boolean))]),
    );
    const unknown: string[] = [];
    for (const d of docs) {
      // A command line, with its backslash continuations joined.
      const text = d.text.replace(/\\\n\s*/g, " ");
      for (const [line = "", command = ""] of text.matchAll(
        /ecs-fanout (run|ls|cleanup|cost|local)\b[^\n`]*/g,
      )) {
        const known = flags.get(command) ?? new Set();
        for (const [flag = ""] of line.matchAll(/--[a-z][a-z-]*/g)) {
          if (!known.has(flag) && flag !== "--help") unknown.push(`${d.file}: ${command} ${flag}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it("describe every run metric the result carries", () => {
    const result = read("packages/core/src/result.ts");
    const body = /interface RunMetrics \{([\s\S]*?)\n\}/.exec(result)?.[1] ?? "";
    const metrics = [...body.matchAll(/readonly (\w+)\??:/g)].map((m) => m[1] ?? "");
    expect(metrics.length).toBeGreaterThan(8);
    const costModel = doc("cost-model.md");
    expect(metrics.filter((m) => !costModel.includes(`\`${m}\``))).toEqual([]);
  });

  it("name every progress event, and only those", () => {
    const architecture = doc("architecture.md");
    expect(EVENT_TYPES.filter((e) => !architecture.includes(`\`${e}\``))).toEqual([]);
    const named = new Set(
      [...architecture.matchAll(/`((?:run|task|segment)\.[a-zA-Z]+)`/g)].map((m) => m[1] ?? ""),
    );
    expect([...named].filter((e) => !(EVENT_TYPES as readonly string[]).includes(e))).toEqual([]);
  });
});
