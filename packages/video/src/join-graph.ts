import type { VideoSegment } from "./segment.js";

/**
 * The crossfade at the boundary after segment i: `a` frames before it (the end of segment i's
 * own frames) and `b` after it (the start of segment i+1's), where both files hold the frames.
 */
export interface Window {
  a: number;
  b: number;
}

type Frames = Pick<VideoSegment, "frames" | "contextBefore" | "contextAfter">;

/**
 * Crossfade windows as wide as the context allows, narrowed so that no two windows share a
 * segment's own frame (a short last segment gives a shorter fade). The last entry is unused.
 */
export function crossfadeWindows(segments: readonly Frames[]): Window[] {
  const windows: Window[] = [];
  let taken = 0; // own frames at the start of segment i already used by the previous window
  for (let i = 0; i < segments.length; i++) {
    const cur = segments[i] as Frames;
    const next = segments[i + 1];
    if (next === undefined) {
      windows.push({ a: 0, b: 0 });
      break;
    }
    const b = Math.min(cur.contextAfter, Math.floor(next.frames / 2));
    const a = Math.min(next.contextBefore, cur.frames - taken);
    windows.push({ a, b });
    taken = b;
  }
  return windows;
}

/**
 * A filtergraph that takes input i (segment i's processed file), keeps each segment's own frames,
 * blends the windows, and concatenates everything in order into `[joined]`, at exactly
 * frame / fps. Every cut is by frame number, so no frame is lost or doubled to rounding.
 */
export function joinGraph(
  segments: readonly Frames[],
  windows: readonly Window[],
  fpsFraction: string,
): string {
  const filters: string[] = [];
  const pieces: string[] = [];
  const uses: string[][] = segments.map(() => []);
  const take = (input: number, start: number, end: number, label: string) => {
    const pad = `s${input}_${(uses[input] as string[]).length}`;
    (uses[input] as string[]).push(pad);
    filters.push(`[${pad}]trim=start_frame=${start}:end_frame=${end},setpts=PTS-STARTPTS[${label}]`);
  };
  segments.forEach((seg, i) => {
    const before = i > 0 ? (windows[i - 1]?.b ?? 0) : 0;
    const after = windows[i]?.a ?? 0;
    const soloStart = seg.contextBefore + before;
    const soloEnd = seg.contextBefore + seg.frames - after;
    if (soloEnd > soloStart) {
      take(i, soloStart, soloEnd, `solo${i}`);
      pieces.push(`[solo${i}]`);
    }
    const w = windows[i];
    const next = segments[i + 1];
    if (w === undefined || next === undefined || w.a + w.b === 0) return;
    const width = w.a + w.b;
    take(i, seg.contextBefore + seg.frames - w.a, seg.contextBefore + seg.frames + w.b, `fadeA${i}`);
    take(i + 1, next.contextBefore - w.a, next.contextBefore + w.b, `fadeB${i}`);
    // Frame n of the window weighs the next segment by (n + ½) / width: a linear dissolve.
    // blend's N counts the frames already taken from its first input, so it starts at 1.
    const weight = `(N-0.5)/${width}`;
    // blend truncates the expression to an integer: +0.5 rounds it, so equal inputs stay equal.
    filters.push(`[fadeA${i}][fadeB${i}]blend=all_expr='A*(1-${weight})+B*${weight}+0.5'[fade${i}]`);
    pieces.push(`[fade${i}]`);
  });
  const splits = uses.map((pads, i) =>
    pads.length === 1
      ? `[${i}:v:0]null[${pads[0]}]`
      : `[${i}:v:0]split=${pads.length}${pads.map((p) => `[${p}]`).join("")}`,
  );
  const join = `${pieces.join("")}concat=n=${pieces.length}:v=1:a=0,setpts=N/(${fpsFraction}*TB)[joined]`;
  return [...splits, ...filters, join].join(";");
}
