/** The byte span one `Range` header asks for, inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a single-range `Range: bytes=…` header against a file of `size` bytes.
 * undefined: no header, a unit other than bytes (RFC 9110 §14.2: ignored), or several ranges
 * (served whole, as RFC 9110 allows); "unsatisfiable": a malformed bytes range or one outside
 * the file → 416.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const spec = header.trim();
  const unit = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)=/.exec(spec);
  if (unit && unit[1]?.toLowerCase() !== "bytes") return undefined;
  if (!unit) return "unsatisfiable";
  const ranges = spec.slice(unit[0].length);
  if (ranges.includes(",")) return undefined;
  const match = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(ranges);
  if (!match) return "unsatisfiable";
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return "unsatisfiable";
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}
