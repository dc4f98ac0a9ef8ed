// Timestamp text shared by the commands: absolute nanoseconds as `seconds.nanoseconds`, the way
// `trace-cmd report -t` prints them.

export function absNs(baseNs: bigint, rel: number): bigint {
  return baseNs + BigInt(rel);
}

export function formatSeconds(ns: bigint, digits = 9): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const s = a / 1_000_000_000n;
  const frac = String(a % 1_000_000_000n).padStart(9, '0').slice(0, digits);
  return `${neg ? '-' : ''}${s}.${frac}`;
}
