// Small number and time formatting shared by the Markdown, HTML and terminal renderers.
import type { ReportInput } from './model.js';

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

/** The input facts every report starts with, as plain (unescaped) label/value pairs. */
export function inputRows(i: ReportInput): Array<[string, string]> {
  const others = i.buffers.filter((b) => b !== i.buffer).map((b) => b || 'top');
  return [
    ['format', `${i.format} v${i.version}, ${i.compression}`],
    ['host', i.host ?? 'unknown'],
    ['CPUs', String(i.cpus)],
    ['events', fmtCount(i.events)],
    ['span', `${fmtSeconds(i.firstNs)} – ${fmtSeconds(i.lastNs)} (${i.clockIsNs ? fmtDuration(i.durationNs) : `${fmtCount(i.durationNs)} cycles`})`],
    ['clock', i.clock + (i.clockIsNs ? '' : ' (raw counts, not ns)')],
    ['buffer', (i.buffer === '' ? 'top' : i.buffer) + (others.length ? ` (also in the file: ${others.join(', ')})` : '')],
    ['lost events', fmtCount(i.lostEvents) + (i.lostUnknown ? ` + ${i.lostUnknown} pages with unknown counts` : '')],
  ];
}
