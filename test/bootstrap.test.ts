import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));
const bootstrap = join(root, "scripts", "bootstrap.sh");
/** The tools the script may use besides the ones each test fakes; node, pnpm and ffmpeg are not among them. */
const TOOLS = [
  "bash",
  "sh",
  "sed",
  "cut",
  "head",
  "mkdir",
  "cat",
  "ln",
  "chmod",
  "tr",
  "dirname",
  "env",
  "rm",
  "grep",
  "mktemp",
  "tail",
];
const which = (tool: string): string | undefined =>
  ["/usr/bin", "/bin", "/usr/sbin", "/sbin"].map((d) => join(d, tool)).find((p) => existsSync(p));
const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p));
const systemNodeMajor = systemNode
  ? Number(spawnSync(systemNode, ["--version"], { encoding: "utf8" }).stdout.slice(1).split(".")[0])
  : 0;

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const script = (path: string, body: string): void => {
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
};

/**
 * A machine with only an old Node and npm: PATH is a folder of the basic tools, the system Node 20,
 * and fakes of npm, apt-get and id that record their arguments. The fake npm "installs" node@22 by
 * linking the Node running this test, and pnpm as a script that prints its version.
 */
function machine(
  opts: {
    uid?: number;
    globalNpmWritable?: boolean;
    globalBinOnPath?: boolean;
    haveEverything?: boolean;
    aptFails?: boolean;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "bootstrap-"));
  dirs.push(dir);
  const bin = join(dir, "bin");
  const home = join(dir, "home");
  const log = join(dir, "calls.log");
  const globalPrefix = join(dir, "npm-global");
  mkdirSync(bin);
  mkdirSync(home);
  writeFileSync(log, "");
  for (const tool of TOOLS) {
    const path = which(tool);
    if (path) symlinkSync(path, join(bin, tool));
  }
  symlinkSync(opts.haveEverything ? process.execPath : (systemNode ?? process.execPath), join(bin, "node"));
  const pnpm = (where: string) =>
    `mkdir -p "${where}"; printf '#!/bin/bash\\necho 10.34.8\\n' > "${where}/pnpm"; chmod +x "${where}/pnpm"`;
  script(
    join(bin, "npm"),
    `echo "npm $*" >> "${log}"
prefix=""; args=("$@")
for ((i=0; i<\${#args[@]}; i++)); do [ "\${args[i]}" = "--prefix" ] && prefix="\${args[i+1]}"; done
case " $* " in
  " prefix -g ") echo "${globalPrefix}"; exit 0 ;;
  *" node@22 "*) mkdir -p "$prefix/node_modules/node/bin"; ln -s "${process.execPath}" "$prefix/node_modules/node/bin/node" ;;
  *" -g "*pnpm@10*) ${opts.globalNpmWritable === false ? 'echo "npm error code EACCES" >&2; exit 243' : pnpm(opts.globalBinOnPath === false ? join(globalPrefix, "bin") : bin)} ;;
  *" pnpm@10 "*) ${pnpm("$prefix/node_modules/.bin")} ;;
esac`,
  );
  script(
    join(bin, "apt-get"),
    `echo "apt-get $*" >> "${log}"
${opts.aptFails ? 'case " $* " in *" install "*) echo "E: Unable to locate package ffmpeg"; exit 100 ;; esac' : ""}
case " $* " in *" install "*) for t in ffmpeg ffprobe; do printf '#!/bin/bash\\necho "$t version 5.1"\\n' > "${bin}/$t"; chmod +x "${bin}/$t"; done ;; esac`,
  );
  script(join(bin, "id"), `[ "$1" = "-u" ] && echo ${opts.uid ?? 0}`);
  if (opts.haveEverything) {
    script(join(bin, "pnpm"), "echo 10.34.8");
    for (const t of ["ffmpeg", "ffprobe"]) script(join(bin, t), `echo "${t} version 5.1"`);
  }
  const runIt = () => {
    const r = spawnSync(
      join(bin, "bash"),
      [
        "-c",
        `set -euo pipefail; source "${bootstrap}" && bootstrap && echo "NODE=$(node --version) PNPM=$(pnpm --version) FFMPEG=$(command -v ffmpeg)"`,
      ],
      { env: { PATH: bin, HOME: home }, encoding: "utf8", timeout: 30_000 },
    );
    return {
      code: r.status,
      out: r.stdout,
      err: r.stderr,
      calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean),
    };
  };
  return { bin, home, run: runIt };
}

describe.skipIf(!which("bash") || systemNodeMajor === 0)("scripts/bootstrap.sh", () => {
  it("installs Node 22, pnpm 10 and ffmpeg on a machine with only Node 20 and npm, saying each step", () => {
    const m = machine({ uid: 0 });
    const r = m.run();
    expect(r.code, r.err).toBe(0);
    expect(r.calls).toEqual([
      `npm install --silent --no-fund --no-audit --prefix ${join(m.home, ".node22")} node@22`,
      "npm install -g --silent --no-fund --no-audit pnpm@10",
      "apt-get update -qq",
      "apt-get install -y -qq --no-install-recommends ffmpeg",
    ]);
    expect(r.out).toContain(`NODE=${process.version} PNPM=10.34.8 FFMPEG=${join(m.bin, "ffmpeg")}`);
    expect(r.err).toMatch(/setup: node v?\d+\.\d+\.\d+ is older than 22\.12\.0: installing Node 22/);
    expect(r.err).toContain("setup: pnpm not found: installing pnpm 10");
    expect(r.err).toContain("setup: ffmpeg not found: installing it with apt-get");
  });

  it("fails with the reason when ffmpeg is missing and apt-get would need root it does not have", () => {
    const r = machine({ uid: 1000 }).run();
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("setup: error: ffmpeg is missing and apt-get needs root");
    expect(r.calls.some((c) => c.startsWith("apt-get"))).toBe(false);
  });

  it("shows the end of apt's log and stops when apt-get cannot install ffmpeg", () => {
    const r = machine({ uid: 0, aptFails: true }).run();
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("E: Unable to locate package ffmpeg");
    expect(r.err).toMatch(
      /setup: error: apt-get install ffmpeg failed \(above: the end of .*ecs-fanout-apt\./,
    );
  });

  it("installs pnpm under the home folder when the global npm prefix is not writable", () => {
    const m = machine({ uid: 0, globalNpmWritable: false });
    const r = m.run();
    expect(r.code, r.err).toBe(0);
    expect(r.calls).toContain(
      `npm install --silent --no-fund --no-audit --prefix ${join(m.home, ".pnpm10")} pnpm@10`,
    );
    expect(r.out).toContain("PNPM=10.34.8");
  });

  it("puts npm's global bin folder on PATH when pnpm lands in one that is not", () => {
    const r = machine({ uid: 0, globalBinOnPath: false }).run();
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("is not on PATH: adding it");
    expect(r.out).toContain("PNPM=10.34.8");
  });

  it("installs nothing on a machine that already has everything", () => {
    const r = machine({ haveEverything: true }).run();
    expect(r.code, r.err).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.err).toContain("new enough");
  });

  it("runs the second time without installing again (Node 22 from the first run is reused)", () => {
    const m = machine({ uid: 0 });
    expect(m.run().code).toBe(0);
    const again = m.run();
    expect(again.code, again.err).toBe(0);
    expect(again.calls.filter((c) => c.includes("node@22"))).toHaveLength(1);
  });
});
