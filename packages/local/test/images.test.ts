import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultWorkerMapping, findWorkerPackage } from "../src/tasks/images.js";

const OLD = new Date("2001-01-01T00:00:00Z");
const NEW = new Date("2031-01-01T00:00:00Z");

let root = "";
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = "";
});

function file(path: string, text: string, mtime: Date): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  utimesSync(path, mtime, mtime);
}

/** A worker package at `rel` under a fresh temp root, with a source tree and a build of the given ages. */
function worker(rel: string, ages: { src: Date; dist?: Date }): string {
  root ||= mkdtempSync(join(tmpdir(), "local-images-"));
  const dir = join(root, rel);
  file(join(dir, "package.json"), JSON.stringify({ name: "@ecs-fanout/worker" }), OLD);
  file(join(dir, "src", "bin.ts"), "", ages.src);
  file(join(dir, "src", "lib", "deep", "edited.ts"), "", ages.src);
  if (ages.dist) file(join(dir, "dist", "bin.js"), "", ages.dist);
  return dir;
}

/** A tsx that `--import tsx` (and so the check for it) finds from everything under the temp root. */
const withTsx = () => file(join(root, "node_modules", "tsx", "package.json"), '{"name":"tsx"}', OLD);

const fromSource = (dir: string) => ({
  match: "*",
  command: ["node", "--conditions=ecs-fanout-source", "--import", "tsx", join(dir, "src", "bin.ts")],
  cwd: dir,
});
const fromBuild = (dir: string) => ({ match: "*", command: ["node", join(dir, "dist", "bin.js")], cwd: dir });

describe("the default worker image", () => {
  it("runs the source in a checkout even when the build looks newer than every source file", () => {
    // A source edit whose mtime was kept (cp -p, rsync -a, tar) or a dependency's edit: the build
    // is stale although its mtime says otherwise.
    const dir = worker("packages/worker", { src: OLD, dist: NEW });
    withTsx();
    expect(defaultWorkerMapping(dir)).toEqual(fromSource(dir));
  });

  it("runs the source in a checkout after an edit without a rebuild", () => {
    const dir = worker("packages/worker", { src: NEW, dist: OLD });
    withTsx();
    expect(defaultWorkerMapping(dir)).toEqual(fromSource(dir));
  });

  it("counts a checkout reached through a workspace link (pnpm) as a checkout", () => {
    const dir = worker("packages/worker", { src: OLD, dist: NEW });
    withTsx();
    const link = join(root, "packages", "app", "node_modules", "@ecs-fanout", "worker");
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(dir, link, "dir");
    expect(defaultWorkerMapping(link)).toEqual(fromSource(link));
  });

  it("runs the build of an installed package, whatever the mtimes of its shipped sources", () => {
    const dir = worker("node_modules/@ecs-fanout/worker", { src: NEW, dist: OLD });
    withTsx();
    expect(defaultWorkerMapping(dir)).toEqual(fromBuild(dir));
  });

  it("falls back to the source of an installed package without a build", () => {
    const dir = worker("node_modules/@ecs-fanout/worker", { src: OLD });
    expect(defaultWorkerMapping(dir)).toEqual(fromSource(dir));
  });

  it("runs the build in a checkout where tsx cannot be found", () => {
    const dir = worker("packages/worker", { src: NEW, dist: OLD });
    expect(defaultWorkerMapping(dir)).toEqual(fromBuild(dir));
  });

  it("finds the monorepo sibling from the local package and from within the worker", () => {
    const dir = worker("packages/worker", { src: OLD });
    mkdirSync(join(root, "packages", "local", "src"), { recursive: true });
    expect(findWorkerPackage(join(root, "packages", "local", "src"))).toBe(dir);
    expect(findWorkerPackage(join(root, "packages", "worker", "src", "lib", "deep"))).toBe(dir);
  });
});
