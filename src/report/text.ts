// Small number and time formatting shared by the Markdown, HTML and terminal renderers.

export function fmtCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A duration in ns as a short human string (ns, µs, ms, s). */
export function fmtDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${ns} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

export function fmtSeconds(ns: bigint | null): string {
  if (ns === null) return '–';
  const s = ns / 1_000_000_000n;
  return `${s}.${String((ns < 0n ? -ns : ns) % 1_000_000_000n).padStart(9, '0').slice(0, 6)}`;
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–';
}
