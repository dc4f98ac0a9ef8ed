// Timestamp text shared by the commands, as `trace-cmd report -t` prints it: absolute nanoseconds
// as `seconds.nanoseconds`, and raw counter clocks (x86-tsc without TSC2NSEC, counter) as the bare
// integer count.
import type { TraceMeta } from '../model/trace-source.js';

export function formatSeconds(ns: bigint, digits = 9): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const s = a / 1_000_000_000n;
  const frac = String(a % 1_000_000_000n).padStart(9, '0').slice(0, digits);
  return `${neg ? '-' : ''}${s}.${frac}`;
}

/** Absolute time of a relative timestamp, formatted for the source's clock. */
export function formatTs(meta: TraceMeta, rel: number): string {
  const abs = meta.baseNs + BigInt(rel);
  return meta.clockIsNs ? formatSeconds(abs) : abs.toString();
}
