import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { FfmpegNotFoundError, findFfmpeg } from "@ecs-fanout/video";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "./helpers.js";

let root: string;
let fakeBin: string;
let emptyDir: string;
let npmRoot: string;
let brokenRoot: string;

async function fakeExecutable(file: string): Promise<string> {
  await writeFile(file, "#!/bin/sh\nexit 0\n");
  await chmod(file, 0o755);
  return file;
}

beforeAll(async () => {
  root = await tempDir("find");
  fakeBin = path.join(root, "bin");
  emptyDir = path.join(root, "empty");
  npmRoot = path.join(root, "app");
  brokenRoot = path.join(root, "broken-app");
  await mkdir(fakeBin);
  await mkdir(emptyDir);
  await fakeExecutable(path.join(fakeBin, "ffmpeg"));
  await fakeExecutable(path.join(fakeBin, "ffprobe"));
  await fakeExecutable(path.join(root, "my-ffmpeg"));
  await fakeExecutable(path.join(root, "my-ffprobe"));
  await writeFile(path.join(root, "not-executable"), "plain file");
  // Stand-ins for the optional npm packages, exporting { path } like the real ones.
  for (const [pkg, bin] of [
    ["@ffmpeg-installer/ffmpeg", "ffmpeg"],
    ["@ffprobe-installer/ffprobe", "ffprobe"],
  ] as const) {
    const dir = path.join(npmRoot, "node_modules", pkg);
    await mkdir(dir, { recursive: true });
    const binPath = await fakeExecutable(path.join(dir, bin));
    // Package managers that skip install scripts can leave the shipped binary without its exec bit.
    if (bin === "ffprobe") await chmod(binPath, 0o644);
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: pkg, main: "index.js" }));
    await writeFile(path.join(dir, "index.js"), `module.exports = { path: ${JSON.stringify(binPath)} };`);
    // A broken install whose binary is gone. A local node_modules wins over NODE_PATH (which pnpm
    // points at the workspace's real installer packages), so "nothing found" stays deterministic.
    const broken = path.join(brokenRoot, "node_modules", pkg);
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, "package.json"), JSON.stringify({ name: pkg, main: "index.js" }));
    await writeFile(path.join(broken, "index.js"), `module.exports = { path: "/nonexistent/${bin}" };`);
  }
});

describe("findFfmpeg", () => {
  test("prefers FFMPEG_PATH and FFPROBE_PATH over PATH", async () => {
    const found = await findFfmpeg({
      env: {
        FFMPEG_PATH: path.join(root, "my-ffmpeg"),
        FFPROBE_PATH: path.join(root, "my-ffprobe"),
        PATH: fakeBin,
      },
      npmResolveFrom: [npmRoot],
    });
    expect(found).toEqual({
      ffmpeg: path.join(root, "my-ffmpeg"),
      ffprobe: path.join(root, "my-ffprobe"),
      source: "env",
      ffprobeSource: "env",
    });
  });

  test("uses the first executable on PATH when no env var is set", async () => {
    const found = await findFfmpeg({
      env: { PATH: [emptyDir, fakeBin].join(path.delimiter) },
      npmResolveFrom: [npmRoot],
    });
    expect(found).toMatchObject({
      ffmpeg: path.join(fakeBin, "ffmpeg"),
      ffprobe: path.join(fakeBin, "ffprobe"),
      source: "path",
    });
  });

  test("falls back to the npm packages when PATH has neither binary", async () => {
    const found = await findFfmpeg({ env: { PATH: emptyDir }, npmResolveFrom: [npmRoot] });
    expect(found.source).toBe("npm");
    expect(found.ffmpeg).toBe(path.join(npmRoot, "node_modules", "@ffmpeg-installer/ffmpeg", "ffmpeg"));
    expect(found.ffprobe).toBe(path.join(npmRoot, "node_modules", "@ffprobe-installer/ffprobe", "ffprobe"));
  });

  test("adds the exec bit to an npm-shipped binary that was installed without it", async () => {
    const found = await findFfmpeg({ env: { PATH: emptyDir }, npmResolveFrom: [npmRoot] });
    expect((await stat(found.ffprobe)).mode & 0o111).toBe(0o111);
  });

  test("names the env var, PATH and the npm package when nothing is found", async () => {
    const error = await findFfmpeg({ env: { PATH: emptyDir }, npmResolveFrom: [brokenRoot] }).catch((e) => e);
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    expect(error.code).toBe("FFMPEG_NOT_FOUND");
    expect(error.binary).toBe("ffmpeg");
    expect(error.message).toContain("FFMPEG_PATH");
    expect(error.message).toContain("put ffmpeg on PATH");
    expect(error.message).toContain("@ffmpeg-installer/ffmpeg");
    expect(error.attempts.map((a: { source: string }) => a.source)).toEqual(["env", "path", "npm"]);
    expect(error.message).toContain("/nonexistent/ffmpeg is not executable");
  });

  test("skips a non-executable file on PATH", async () => {
    const dir = path.join(root, "plain");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "ffmpeg"), "not a program");
    await writeFile(path.join(dir, "ffprobe"), "not a program");
    const found = await findFfmpeg({ env: { PATH: [dir, fakeBin].join(path.delimiter) }, npm: false });
    expect(found.ffmpeg).toBe(path.join(fakeBin, "ffmpeg"));
  });

  test("rejects an env var that points at something not executable instead of falling back", async () => {
    const error = await findFfmpeg({
      env: { FFMPEG_PATH: path.join(root, "not-executable"), PATH: fakeBin },
      npm: false,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    expect(error.binary).toBe("ffmpeg");
    expect(error.message).toContain("FFMPEG_PATH=");
  });

  test("finds the real ffmpeg of this machine with default options", async () => {
    const found = await findFfmpeg();
    expect(path.basename(found.ffmpeg)).toMatch(/^ffmpeg/);
    expect(path.basename(found.ffprobe)).toMatch(/^ffprobe/);
  });
});
