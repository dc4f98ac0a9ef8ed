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

/**
 * A word for a POSIX shell: as is when it has only safe characters, else single-quoted; with control
 * characters (a newline in a file name), ANSI-C quoted ($'…\n…', bash/zsh/ksh) so it stays on one line.
 */
export function shellQuote(s: string): string {
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  if (!/[\x00-\x1f\x7f\u0085\u2028\u2029]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  const esc = s.replace(/[\\'\x00-\x1f\x7f\u0085\u2028\u2029]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16)}`));
  return `$'${esc}'`;
}

/** What a re-run needs besides the file: VMs the user named and the `--vm`/`--vcpu` selectors. */
export interface RerunFilters {
  vms: ReadonlyArray<{ name: string; pid: number | null; grouping: string }>;
  selection?: { vm: string[]; vcpu: string[] } | null;
}

/** The filters as options (`--vm web=5128 --vm web --vcpu 0`), quoted for a shell; '' without. */
export function filterArgs(f?: RerunFilters | null): string {
  if (!f) return '';
  const named = f.vms.filter((v) => v.grouping === 'user' && v.pid !== null).map((v) => `${v.name}=${v.pid}`);
  const sel = f.selection ?? { vm: [], vcpu: [] };
  return [...named.map((v) => ` --vm ${shellQuote(v)}`), ...sel.vm.map((v) => ` --vm ${shellQuote(v)}`), ...sel.vcpu.map((v) => ` --vcpu ${shellQuote(v)}`)].join('');
}

/** The command that re-runs this analysis, optionally narrowed to a window (`START..END`), with the same VM names and selection. */
export function reproduceCommand(file: string, window?: string | null, filters?: RerunFilters | null): string {
  return `kvmtrace analyze ${shellQuote(file)}${window ? ` --window ${window}` : ''}${filterArgs(filters)}`;
}
