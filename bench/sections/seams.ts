import { mkdir } from "node:fs/promises";
import path from "node:path";
import { bundleWorker } from "../lib/bundle-worker.js";
import { type FannedOut, fanOut, median, type SeamsBaseline, seamsBaseline } from "../lib/seams.js";
import { measureSplitModes } from "../lib/split-modes.js";
import { startStack } from "../lib/stack.js";
import { type BenchSection, round, target } from "../lib/types.js";

/** The run that carries the split + join share: a processor with a real per-frame cost. */
const RESTORATION_BASE = "restoration (lanczos + nlmeans + tmix)";
const RESTORATION = `${RESTORATION_BASE}, overlap 4, trim`;

/** Identical frames have an infinite PSNR; reported as 100 dB so the JSON holds a number. */
const IDENTICAL_DB = 100;
const db = (value: number) => round(Math.min(value, IDENTICAL_DB), 2);
const worst = (values: readonly number[]) => Math.min(...values);

export const seams: BenchSection = {
  id: "seams",
  title: "Seams: a fanned-out temporal upscale against one pass",
  async run({ smoke, workDir, log, signal }) {
    const clip = smoke
      ? { seconds: 2, width: 160, height: 90, fps: 25, temporal: "tmix", segments: 8, tasks: 4 }
      : { seconds: 6, width: 480, height: 270, fps: 25, temporal: "tmix", segments: 8, tasks: 4 };
    const base = await seamsBaseline({ ...clip, temporal: "tmix" }, workDir, signal);
    const stack = await startStack({ workerBundle: await bundleWorker(workDir) });
    const runs: Record<string, FannedOut> = {};
    let hqdn3d: SeamsBaseline | undefined;
    let restoration: SeamsBaseline | undefined;
    try {
      for (const [name, overlapFrames, join] of [
        ["overlap 4, trim", 4, "trim"],
        ["overlap 4, crossfade", 4, "crossfade"],
        ["no overlap", 0, "trim"],
      ] as const) {
        // Smoke mode (CI) keeps the two runs the checks need.
        if (smoke && join === "crossfade") continue;
        log(`[seams] ${name}`);
        runs[name] = await fanOut(base, stack, {
          overlapFrames,
          join,
          dir: path.join(workDir, name),
          signal,
        });
      }
      // A recursive filter remembers every frame before: context shortens the seam, never removes it.
      if (!smoke) {
        const hqDir = path.join(workDir, "hqdn3d");
        await mkdir(hqDir, { recursive: true });
        hqdn3d = await seamsBaseline({ ...clip, temporal: "hqdn3d" }, hqDir, signal);
        for (const overlapFrames of [4, 12]) {
          const name = `hqdn3d, overlap ${overlapFrames}, trim`;
          log(`[seams] ${name}`);
          runs[name] = await fanOut(hqdn3d, stack, {
            overlapFrames,
            join: "trim",
            dir: path.join(hqDir, name),
            signal,
          });
        }
      }
      // A processor whose frames cost what a restoration filter costs: the share split and join
      // take of a run is only meaningful when the processing is not nearly free.
      const restoreDir = path.join(workDir, "restoration");
      await mkdir(restoreDir, { recursive: true });
      restoration = await seamsBaseline(
        { ...clip, seconds: smoke ? clip.seconds : 4, temporal: "tmix", denoise: "nlmeans" },
        restoreDir,
        signal,
      );
      log(`[seams] ${RESTORATION}`);
      runs[RESTORATION] = await fanOut(restoration, stack, {
        overlapFrames: 4,
        join: "trim",
        dir: path.join(restoreDir, "run"),
        signal,
      });
    } finally {
      await stack.close();
    }
    log("[seams] split modes");
    const modes = await measureSplitModes(base.source, clip.segments, path.join(workDir, "modes"), signal);

    const trim = runs["overlap 4, trim"] as FannedOut;
    const fade = runs["overlap 4, crossfade"];
    const none = runs["no overlap"] as FannedOut;
    const restore = runs[RESTORATION] as FannedOut;
    const share = (run: FannedOut) => round((run.splitSeconds + run.joinSeconds) / run.wallSeconds, 3);
    const onePass = median(base.onePassPsnr);
    const metrics: Array<{ name: string; value: number | string; unit?: string }> = [
      { name: "clip", value: `${clip.width}×${clip.height}, ${base.times.length} frames at ${clip.fps} fps` },
      { name: "segments × tasks", value: `${trim.segments.length} × ${trim.tasks}` },
      { name: "one pass (final encode): median PSNR vs lossless one pass", value: db(onePass), unit: "dB" },
    ];
    if (restoration)
      metrics.push({
        name: `${RESTORATION_BASE} one pass (final encode): median PSNR vs its lossless one pass`,
        value: db(median(restoration.onePassPsnr)),
        unit: "dB",
      });
    if (hqdn3d)
      metrics.push({
        name: "hqdn3d one pass (final encode): median PSNR vs its lossless one pass",
        value: db(median(hqdn3d.onePassPsnr)),
        unit: "dB",
      });
    for (const [name, run] of Object.entries(runs)) {
      metrics.push(
        { name: `${name}: median PSNR vs lossless one pass`, value: db(median(run.psnr)), unit: "dB" },
        {
          name: `${name}: worst boundary frame PSNR vs one pass`,
          value: db(worst(run.boundaryVsOnePass)),
          unit: "dB",
        },
        {
          name: `${name}: median interior frame PSNR vs one pass`,
          value: db(median(run.interiorVsOnePass)),
          unit: "dB",
        },
        {
          name: `${name}: worst boundary frame PSNR vs lossless one pass`,
          value: db(worst(run.boundaryPsnr)),
          unit: "dB",
        },
        {
          name: `${name}: median interior frame PSNR vs lossless one pass`,
          value: db(median(run.interiorPsnr)),
          unit: "dB",
        },
        { name: `${name}: worst frame SSIM`, value: round(worst(run.ssim), 4) },
        { name: `${name}: frames out / in`, value: `${run.frames} / ${run.sourceFrames}` },
        { name: `${name}: every frame at its source time`, value: run.timesMatch ? "yes" : "no" },
        { name: `${name}: split`, value: round(run.splitSeconds, 2), unit: "s" },
        {
          name: `${name}: fan-out (tasks start, process, stop)`,
          value: round(run.fanoutSeconds, 2),
          unit: "s",
        },
        { name: `${name}: join (one final encode)`, value: round(run.joinSeconds, 2), unit: "s" },
        { name: `${name}: run wall time`, value: round(run.wallSeconds, 2), unit: "s" },
        { name: `${name}: (split + join) / run wall time`, value: share(run) },
      );
    }
    metrics.push(
      { name: "one pass (final encode) on one core set", value: round(base.onePassSeconds, 2), unit: "s" },
      {
        name: `${RESTORATION_BASE} one pass (final encode) on one core set`,
        value: round(restoration?.onePassSeconds ?? Number.NaN, 2),
        unit: "s",
      },
      {
        name: "one pass: worst PSNR vs lossless one pass at the boundary frames (the final encode's own spread)",
        value: db(worst(onePassAt(base.onePassPsnr, trim))),
        unit: "dB",
      },
    );
    for (const mode of modes) {
      metrics.push(
        { name: `split ${mode.name}: segments`, value: mode.segments },
        {
          name: `split ${mode.name}: bytes (source ${modes[0]?.sourceBytes ?? 0})`,
          value: mode.bytes,
          unit: "B",
        },
        { name: `split ${mode.name}: time`, value: round(mode.seconds, 2), unit: "s" },
        {
          name: `split ${mode.name}: median PSNR of the segments vs the source`,
          value: mode.medianPsnr === Number.POSITIVE_INFINITY ? "lossless" : db(mode.medianPsnr),
          unit: mode.medianPsnr === Number.POSITIVE_INFINITY ? "" : "dB",
        },
      );
    }
    return {
      method:
        `A ${clip.seconds} s ${clip.width}×${clip.height} testsrc2 clip (motion everywhere), cut by splitVideo into ` +
        `${clip.segments} lossless exact segments, run on ${clip.tasks} tasks of the local ECS endpoint (real SDK, real ` +
        "workers, real ffmpeg) with ffmpeg-scale ×2 lanczos + temporal tmix (each frame averaged with the 4 before it) " +
        "encoding losslessly, joined by joinSegments with the one final encode (x264 veryfast CRF 18). Compared frame " +
        "by frame (ffmpeg psnr/ssim, frame n with frame n) with the same processor in one pass over the whole clip, " +
        `lossless (the reference) and with the same final encode ("one pass"; identical frames count as ${IDENTICAL_DB} dB). ` +
        "Boundary frames: the 4 either side of each cut; interior: the rest. Split " +
        "modes: splitVideo exact (lossless), splitVideo copy (stream copy at keyframes) and the x264 CRF 18 split it " +
        "replaces (segment muxer, forced keyframes), each on the same clip. The restoration run is the same fan-out with " +
        "nlmeans (s=1, 7×7 patches, 15×15 search) between the scale and tmix, on its own clip and its own two one passes.",
      status: "measured",
      metrics,
      targets: [
        target(
          "|median PSNR fanned out − one pass| (overlap 4, trim)",
          db(Math.abs(median(trim.psnr) - onePass)),
          "<=",
          0.3,
          " dB",
        ),
        target(
          "median interior − worst boundary PSNR vs one pass (overlap 4, trim)",
          round(db(median(trim.interiorVsOnePass)) - db(worst(trim.boundaryVsOnePass)), 2),
          "<=",
          1,
          " dB",
        ),
        target(
          "median interior − worst boundary PSNR vs one pass, no overlap (must exceed 1 dB: the check can fail)",
          round(db(median(none.interiorVsOnePass)) - db(worst(none.boundaryVsOnePass)), 2),
          ">=",
          1,
          " dB",
        ),
        target(
          "frames lost or doubled (overlap 4, trim)",
          Math.abs(trim.frames - base.times.length),
          "<=",
          0,
        ),
        target(`(split + join) / run wall time (${RESTORATION})`, share(restore), "<=", 0.1),
        target(
          `|median PSNR fanned out − one pass| (${RESTORATION})`,
          db(Math.abs(median(restore.psnr) - median(restoration?.onePassPsnr ?? []))),
          "<=",
          0.3,
          " dB",
        ),
        target(
          `frames lost or doubled (${RESTORATION})`,
          Math.abs(restore.frames - restore.sourceFrames),
          "<=",
          0,
        ),
      ],
      notes: [
        `tmix's window is 4 frames back, so 4 context frames make every fanned-out frame the one pass's exactly before the final encode: trim is the right join for it; a crossfade blends in the first frames of each segment's file, which lack their own history (worst boundary vs one pass ${fade ? db(worst(fade.boundaryVsOnePass)) : "not measured in smoke mode"} dB with crossfade, ${db(worst(trim.boundaryVsOnePass))} dB with trim).`,
        "Against the lossless one pass, the overlapped run's worst boundary frame sits within the final encode's own frame-to-frame spread: the one pass's worst frame at the same positions is as low.",
        "hqdn3d (recursive: each frame depends on all the frames before it, fading) shows that context shortens the seam of a processor with unbounded memory but never removes it: compare its worst boundary frame at overlap 4 and 12 (full mode only).",
        `The split + join share of the lanczos + tmix runs (${share(trim)} at overlap 4, trim) is large because that processor costs almost nothing per frame: the run is mostly the split and the one final encode. The restoration run adds ffmpeg's non-local means denoiser (nlmeans at its defaults, a real restoration filter and still far cheaper per frame than an AI upscaler on a GPU) to the same chain, on a ${restoration?.clip.seconds ?? clip.seconds} s clip of the same size: its frames cost what processing costs, and it carries the ≤ 10 % target. Its 4 context frames per segment are processed and thrown away, so the fan-out includes that overlap's cost too.`,
      ],
      raw: {
        onePassPsnr: base.onePassPsnr,
        runs: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, { psnr: r.psnr, ssim: r.ssim }])),
        modes,
      },
    };
  },
};

/** The one pass's PSNR at the frames that are boundary frames of `run`. */
function onePassAt(onePass: readonly number[], run: FannedOut): number[] {
  return run.boundary.map((n) => onePass[n] ?? Number.NaN);
}
