// `--window START..END`: the time range an analysis is narrowed to. Each side is either an absolute
// trace-clock time in seconds, exactly as trace-cmd report and perf script print it
// (`1890.163890`, `5559771.610941`), or a time relative to the first event of the stream with a
// unit (`+1.2s`, `+300ms`, `+50us`, `+800ns`; a bare `+2` is seconds). Either side may be left
// open (`+1s..`, `..1891.5`). Bounds are inclusive. Parsing is exact: decimals become integer ns.
import { UsageError } from '../diag/errors.js';

export interface TimeBound {
  /** True: ns after the first event of the stream; false: absolute trace-clock ns. */
  relative: boolean;
  ns: bigint;
}

export interface WindowSpec {
  /** The text as given (shown in the report). */
  text: string;
  start: TimeBound | null;
  end: TimeBound | null;
}

const UNIT_NS: Record<string, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1000n, 'µs': 1000n, ns: 1n };
const BOUND = /^(\+)?(\d+)(?:\.(\d*))?\s*(s|ms|us|µs|ns)?$/;
const HELP = 'use seconds as the trace prints them (1234.5..1235.0) or times after the trace start (+1.2s..+1.5s, +300ms, +50us)';

function parseBound(side: string, text: string): TimeBound | null {
  const s = side.trim();
  if (s === '') return null;
  const m = BOUND.exec(s);
  if (!m) throw new UsageError(`--window: cannot read "${s}" in "${text}": ${HELP}`);
  if (!m[1] && m[4] && m[4] !== 's') throw new UsageError(`--window: "${s}": an absolute time is in seconds; a time with a ${m[4]} unit needs a leading + (relative to the trace start)`);
  const frac = m[3] ?? '';
  const unit = UNIT_NS[m[4] ?? 's'];
  const scale = 10n ** BigInt(frac.length);
  // Exact to the nanosecond; digits below it are dropped (trace timestamps have at most 9 decimals).
  const ns = (BigInt(m[2] + frac) * unit) / scale;
  return { relative: m[1] === '+', ns };
}

/** Parses `START..END`; throws a UsageError naming the problem. */
export function parseWindow(text: string): WindowSpec {
  const parts = text.split('..');
  if (parts.length !== 2) throw new UsageError(`--window needs START..END, got "${text}": ${HELP}`);
  const start = parseBound(parts[0], text);
  const end = parseBound(parts[1], text);
  if (!start && !end) throw new UsageError(`--window "${text}" has neither a start nor an end`);
  if (start && end && start.relative === end.relative && start.ns > end.ns) {
    throw new UsageError(`--window "${text}" ends before it starts`);
  }
  return { text: text.trim(), start, end };
}

/** A bound in the stream's relative ns (`baseNs` = the source's base, `firstTs` = its first event). */
export function boundTs(b: TimeBound | null, baseNs: bigint, firstTs: number, open: number): number {
  if (!b) return open;
  return b.relative ? firstTs + Number(b.ns) : Number(b.ns - baseNs);
}

/** Seconds with 9 decimals, as the report header shows a bound (`1890.163890242`). */
export function formatSeconds(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  return `${neg ? '-' : ''}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}`;
}
