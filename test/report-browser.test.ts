/**
 * The run report in a real browser: a real local run (synthetic segments, real workers), its
 * manifest rendered to HTML, opened in headless Chromium. The page must show every task and every
 * segment attempt with the timings the run recorded, load nothing from the network, and log no
 * error. A screenshot lands in test-results/ (gitignored).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { executeParallelBatches, MANIFEST_NAME, readManifest, renderReport } from "ecs-fanout";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../bench/lib/paths.js";
import {
  baseOptions,
  type Env,
  registerWorker,
  startEnv,
  syntheticInputs,
} from "../packages/core/test/integration/helpers.js";
import { launchChromium } from "./support/browser.js";

describe("the run report in headless Chromium", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("shows every task and every segment with its recorded timings, offline and without console errors", async () => {
    env = await startEnv();
    const td = await registerWorker(env, "synthetic", { FANOUT_ENABLE_SYNTHETIC: "1" });
    const segments = await syntheticInputs(env, 10);
    const result = await executeParallelBatches({
      ...baseOptions(env, td, segments),
      params: { processor: "synthetic", ms: 200, bytes: 20_000 },
      maxParallelTasks: 3,
    });
    expect(result.failed, JSON.stringify(result.failures[0]?.error)).toBe(0);
    const manifest = await readManifest(path.join(env.outputDir, MANIFEST_NAME));
    const out = path.join(repoRoot, "test-results");
    await mkdir(out, { recursive: true });
    const file = path.join(out, "report.html");
    await writeFile(file, renderReport(manifest));

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("request", (r) => {
        if (!r.url().startsWith("file:")) problems.push(`request: ${r.url()}`);
      });
      await page.goto(pathToFileURL(file).href);
      const seen = await page.evaluate(() => ({
        tasks: [...document.querySelectorAll<SVGGElement>("g.t")].map((g) => g.dataset["task"] ?? ""),
        attempts: [...document.querySelectorAll<SVGGElement>("g.a")].map((g) => ({
          task: (g.closest("g.t") as SVGGElement).dataset["task"] ?? "",
          segment: g.dataset["s"] ?? "",
          attempt: Number(g.dataset["n"]),
          outcome: g.classList[1] ?? "",
          t: (g.dataset["t"] ?? "").split(" ").map((v) => (v === "" ? Number.NaN : Number(v))),
        })),
        speedup: document.querySelector('[data-metric="speedup"]')?.textContent ?? "",
        // Every row draws its processing: one merged path per phase, with a box for each segment.
        processBoxes: [...document.querySelectorAll<SVGPathElement>("g.t path.p")].reduce(
          (n, p) => n + (p.getAttribute("d")?.match(/z/g)?.length ?? 0),
          0,
        ),
      }));
      await page.screenshot({ path: path.join(out, "report.png"), fullPage: true });

      expect(problems).toEqual([]);
      expect(seen.tasks.sort()).toEqual(result.tasks.map((t) => t.taskArn).sort());
      expect(seen.speedup).toBe(`${result.metrics.speedupFactor.toFixed(2)}×`);
      // Each segment appears once as succeeded, on the task that did it, with the run's own timings.
      for (const s of result.segments) {
        const drawn = seen.attempts.filter((a) => a.segment === s.id && a.outcome === "succeeded");
        expect(drawn, s.id).toHaveLength(1);
        const [a] = drawn as [(typeof drawn)[number]];
        expect(a.task).toBe(s.taskArn);
        const [upStart, upEnd, procStart, procEnd, downStart, end] = a.t as [
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const timings = s.timings as NonNullable<typeof s.timings>;
        const close = (got: number, wantMs: number) =>
          expect(Math.abs(got - wantMs / 1000)).toBeLessThan(0.003);
        close(upEnd - upStart, timings.uploadMs);
        close(procEnd - procStart, timings.processMs);
        close(end - downStart, timings.downloadMs);
        // The worker may start as soon as the body is in, a moment before its 202 reaches us.
        expect(procStart).toBeGreaterThan(upStart);
        expect(end).toBeGreaterThan(procEnd);
      }
      expect(seen.processBoxes).toBe(result.segments.length);
      // Every attempt the manifest recorded is drawn, no more.
      const uploads = manifest.records.filter((r) => r.type === "segment.uploaded");
      expect(seen.attempts).toHaveLength(uploads.length);
    } finally {
      await browser.close();
    }
  });
});
